// docker stop / start / rm.
import { lastValue, parseArgs } from "../args.js";
import { removeFileSync } from "../atomic-file.js";
import { DockerCliError, noSuchContainer, usageError } from "../cli-error.js";
import { findContainer, isActive } from "../container-record.js";
import type { CliContext } from "../context.js";
import { launchSupervisor } from "../launch.js";
import { containerFile, containerLogFile, supervisorLogFile } from "../paths.js";
import { portConflict } from "../port-check.js";
import { killNow, stopGracefully } from "../stop-container.js";

function requireNames(command: string, names: string[]): void {
  if (names.length === 0) throw usageError(command, `"docker ${command}" requires at least 1 argument.`);
}

export async function stopCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const args = parseArgs("stop", argv, [
    { long: "time", short: "t", kind: "value" },
    { long: "timeout", kind: "value" },
    { long: "signal", short: "s", kind: "value" },
  ]);
  requireNames("stop", args.positionals);
  const timeText = lastValue(args, "timeout") ?? lastValue(args, "time") ?? "10";
  if (!/^-?\d+$/.test(timeText)) {
    throw usageError("stop", `invalid argument "${timeText}" for "-t, --timeout" flag: strconv.ParseInt: parsing "${timeText}": invalid syntax`);
  }
  // --signal: SIGKILL kills at once (no SIGTERM, so no shutdown hooks run); SIGTERM is the default.
  const sig = (lastValue(args, "signal") ?? "SIGTERM").toUpperCase().replace(/^SIG/, "");
  if (!["TERM", "15", "KILL", "9"].includes(sig)) {
    throw usageError("stop", `the sandbox's docker stop supports --signal SIGTERM or SIGKILL, not ${JSON.stringify(lastValue(args, "signal"))}`);
  }
  const timeoutS = sig === "KILL" || sig === "9" ? 0 : Math.max(0, Number(timeText));
  const errors: string[] = [];
  for (const name of args.positionals) {
    const record = await findContainer(ctx.paths, name);
    if (!record) {
      errors.push(noSuchContainer(name));
      continue;
    }
    await stopGracefully(ctx.paths, record, timeoutS);
    ctx.out(`${name}\n`);
  }
  if (errors.length > 0) throw new DockerCliError(errors.join("\n"), 1);
  return 0;
}

export async function startCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const args = parseArgs("start", argv, [
    { long: "attach", short: "a", kind: "bool" },
    { long: "interactive", short: "i", kind: "bool" },
  ]);
  requireNames("start", args.positionals);
  if (args.bools.has("attach") || args.bools.has("interactive")) {
    throw usageError("start", "sandbox runtime: docker start --attach/--interactive is not supported");
  }
  const errors: string[] = [];
  const failed: string[] = [];
  for (const name of args.positionals) {
    const record = await findContainer(ctx.paths, name);
    if (!record) {
      errors.push(noSuchContainer(name));
      failed.push(name);
      continue;
    }
    if (!isActive(record)) {
      const conflict = await portConflict(ctx.paths, record);
      if (conflict !== null) {
        errors.push(`Error response from daemon: ${conflict}`);
        failed.push(name);
        continue;
      }
      await launchSupervisor(ctx, record);
    }
    ctx.out(`${name}\n`);
  }
  if (failed.length > 0) {
    throw new DockerCliError(`${errors.join("\n")}\nError: failed to start containers: ${failed.join(", ")}`, 1);
  }
  return 0;
}

export async function rmCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const args = parseArgs("rm", argv, [
    { long: "force", short: "f", kind: "bool" },
    { long: "volumes", short: "v", kind: "bool" },
  ]);
  requireNames("rm", args.positionals);
  const force = args.bools.has("force");
  const errors: string[] = [];
  for (const name of args.positionals) {
    const record = await findContainer(ctx.paths, name);
    if (!record) {
      // docker rm --force reports a missing container but still exits 0.
      if (force) ctx.err(`${noSuchContainer(name)}\n`);
      else errors.push(noSuchContainer(name));
      continue;
    }
    if (isActive(record) && !force) {
      errors.push(
        `Error response from daemon: cannot remove container "/${record.name}": container is ${record.state.Status}: stop the container before removing or force remove`,
      );
      continue;
    }
    await killNow(ctx.paths, record);
    removeFileSync(containerFile(ctx.paths, record.name));
    removeFileSync(containerLogFile(ctx.paths, record.id));
    removeFileSync(supervisorLogFile(ctx.paths, record.id));
    ctx.out(`${name}\n`);
  }
  if (errors.length > 0) throw new DockerCliError(errors.join("\n"), 1);
  return 0;
}
