// `sandbox up|down|status`: the embedded local world in the background, state in .bluegreen/sandbox
// under the current folder (or --config-dir). No root, no AWS, no Telegram.
import { spawn } from "node:child_process";
import { existsSync, openSync } from "node:fs";
import { mkdir, readFile, rm } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { UsageError } from "../../errors.js";
import { SANDBOX_PORTS, sandboxPaths } from "../../sandbox/paths.js";
import { killAllContainers } from "../../sandbox/runtime/index.js";
import type { Parsed } from "../args.js";
import { expectPositionals } from "../args.js";
import { EXIT } from "../exit-codes.js";
import type { Output } from "../output.js";

interface SandboxState {
  pid: number;
  aws: string;
  telegram: string;
  alb: string;
  hosts: string[];
  startedAt: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function readState(file: string): Promise<SandboxState | null> {
  try {
    const s = JSON.parse(await readFile(file, "utf8")) as SandboxState;
    return alive(s.pid) ? s : null;
  } catch {
    return null;
  }
}

async function waitReady(file: string, pid: number, deadlineMs: number): Promise<SandboxState> {
  const end = Date.now() + deadlineMs;
  while (Date.now() < end) {
    const s = await readState(file);
    if (s !== null && s.pid === pid) return s;
    if (!alive(pid)) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new UsageError(
    "the sandbox did not start",
    `see the log in .bluegreen/sandbox/sandbox.log; ports ${Object.values(SANDBOX_PORTS).join(", ")} must be free`,
  );
}

export async function sandbox(p: Parsed, out: Output): Promise<number> {
  const [action] = expectPositionals(p, ["up|down|status"]);
  const paths = sandboxPaths(p.flags.configDir ?? process.cwd());
  const current = await readState(paths.stateFile);
  if (action === "up") {
    if (current !== null) {
      out.line(`sandbox already running (pid ${current.pid}): AWS ${current.aws}, Telegram ${current.telegram}, ALB ${current.alb}`);
      return EXIT.ok;
    }
    await rm(paths.stateFile, { force: true });
    await mkdir(paths.root, { recursive: true });
    const log = openSync(paths.log, "a");
    const daemon = fileURLToPath(new URL("../../sandbox/daemon.js", import.meta.url));
    const child = spawn(process.execPath, [daemon, paths.root], {
      detached: true,
      stdio: ["ignore", log, log],
      env: { ...process.env, ...(p.flags.legacy ? { BLUEGREEN_SANDBOX_LEGACY: "legacy-group" } : {}) },
    });
    child.unref();
    const s = await waitReady(paths.stateFile, child.pid ?? -1, p.flags.legacy ? 40_000 : 10_000);
    if (p.flags.json) out.json({ type: "result", command: "sandbox", outcome: "up", exitCode: 0, ...s });
    else if (p.flags.legacy) {
      out.line(`sandbox up (pid ${s.pid}) as a production without bluegreen: AWS ${s.aws}, Telegram ${s.telegram}, ALB ${s.alb}, hosts ${s.hosts.join(", ")}`);
      out.line("the listener forwards to bot-legacy (port 5000), served by an unlabelled telegram-bot container per host that set the webhook itself");
      out.line("try: bluegreen status local, then bluegreen release local --image v2 (adopts it)");
    } else
      out.line(
        `sandbox up (pid ${s.pid}): AWS ${s.aws}, Telegram ${s.telegram}, ALB ${s.alb}, hosts ${s.hosts.join(", ")}\ntry: bluegreen release local --image v1`,
      );
    return EXIT.ok;
  }
  if (action === "down") {
    if (current !== null) {
      process.kill(current.pid, "SIGTERM");
      const end = Date.now() + 10_000;
      while (alive(current.pid) && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
      if (alive(current.pid)) process.kill(current.pid, "SIGKILL");
    }
    // Bot processes outlive a killed daemon: stop them by pid as well.
    const killed = existsSync(paths.runtime) ? await killAllContainers(paths.runtime) : 0;
    await rm(paths.stateFile, { force: true });
    out.line(current === null ? `sandbox was not running${killed > 0 ? `; stopped ${killed} leftover bot process(es)` : ""}` : "sandbox down");
    return EXIT.ok;
  }
  if (action === "status") {
    if (p.flags.json) out.json({ type: "result", command: "sandbox", outcome: current === null ? "down" : "up", exitCode: 0, ...(current ?? {}) });
    else
      out.line(
        current === null
          ? "sandbox is not running (bluegreen sandbox up)"
          : `sandbox up (pid ${current.pid}) since ${current.startedAt}: AWS ${current.aws}, Telegram ${current.telegram}, ALB ${current.alb}`,
      );
    return EXIT.ok;
  }
  throw new UsageError(`sandbox ${JSON.stringify(action)}: unknown action`, "use sandbox up, sandbox down or sandbox status");
}
