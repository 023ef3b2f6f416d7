// Starts a container's supervisor as a detached process (own session and process group, so it
// outlives the CLI and an SSH session) and waits until it has started the bot.
import { spawn } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync } from "node:fs";
import { DockerCliError } from "./cli-error.js";
import { type ContainerRecord, readContainer } from "./container-record.js";
import type { CliContext } from "./context.js";
import { supervisorLogFile, supervisorScript } from "./paths.js";
import { isAlive, processHandle, waitFor } from "./proc.js";

const START_TIMEOUT_MS = 10_000;

export async function launchSupervisor(ctx: CliContext, record: ContainerRecord): Promise<ContainerRecord> {
  const script = supervisorScript();
  if (!existsSync(script)) {
    throw new DockerCliError(`sandbox runtime: ${script} is missing; run \`npx tsc -p tsconfig.json\``, 125);
  }
  mkdirSync(ctx.paths.logs, { recursive: true });
  mkdirSync(ctx.paths.records, { recursive: true });
  const log = openSync(supervisorLogFile(ctx.paths, record.id), "a");
  let child: ReturnType<typeof spawn>;
  try {
    child = spawn(process.execPath, [script, ctx.stateRoot, ctx.host, record.name, record.id], {
      detached: true,
      stdio: ["ignore", log, log],
      env: { PATH: ctx.env.PATH ?? "/usr/bin:/bin" },
    });
  } catch (err) {
    // Some spawn failures (E2BIG) throw instead of emitting 'error': the same failure of this command.
    throw notStarted(ctx, record, err instanceof Error ? err : new Error(String(err)));
  } finally {
    // The child has its own copy (or none): ours is closed either way, never leaked.
    closeSync(log);
  }
  child.unref();
  // A spawn that fails (EAGAIN, EMFILE...) is an 'error' event: unheard, it would kill the process
  // running this, which in the sandbox transport is the CLI itself. It is this command's failure.
  let failed: Error | undefined;
  const spawnFailed = new Promise<void>((settled) =>
    child.once("error", (err) => {
      failed = err;
      settled();
    }),
  );
  const pid = child.pid;
  if (pid === undefined) await spawnFailed; // no pid: the 'error' event is on its way
  const handle = pid === undefined ? null : processHandle(pid);
  let latest: ContainerRecord | null = record;
  const started = await waitFor(async () => {
    latest = await readContainer(ctx.paths, record.name);
    if (!latest || latest.id !== record.id) return true;
    // A bot that crashes at once may already be exited again: StartedAt moving is proof enough.
    return latest.supervisor?.pid === pid || latest.state.StartedAt !== record.state.StartedAt || !isAlive(handle);
  }, START_TIMEOUT_MS);
  const final: ContainerRecord | null = latest;
  if (!started || !final || final.state.StartedAt === record.state.StartedAt) throw notStarted(ctx, record, failed);
  return final;
}

function notStarted(ctx: CliContext, record: ContainerRecord, failed: Error | undefined): DockerCliError {
  return new DockerCliError(
    `Error response from daemon: sandbox runtime: the supervisor of ${record.name} did not start${failed ? `: ${failed.message}` : ""} (see ${supervisorLogFile(ctx.paths, record.id)})`,
    125,
  );
}
