// `sandbox up|down|status`: the embedded local world in the background, state in .bluegreen/sandbox
// under the current folder (or --config-dir). No root, no AWS, no Telegram.
import { spawn } from "node:child_process";
import { existsSync, openSync } from "node:fs";
import { mkdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { PreflightError, UsageError } from "../../errors.js";
import { SANDBOX_PORTS, sandboxPaths } from "../../sandbox/paths.js";
import { killAllContainers } from "../../sandbox/runtime/index.js";
import type { Parsed } from "../args.js";
import { expectPositionals } from "../args.js";
import { EXIT } from "../exit-codes.js";
import type { Output } from "../output.js";
import { busyPorts, describeHolders, type PortHolder } from "../port-holders.js";

interface SandboxState {
  pid: number;
  aws: string;
  telegram: string;
  alb: string;
  hosts: string[];
  /** Started with --legacy (absent in a state file written before it was recorded: not legacy). */
  legacy?: boolean;
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

async function waitReady(file: string, pid: number, deadlineMs: number): Promise<SandboxState | null> {
  const end = Date.now() + deadlineMs;
  while (Date.now() < end) {
    const s = await readState(file);
    if (s !== null && s.pid === pid) return s;
    if (!alive(pid)) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return null;
}

type SandboxPorts = { aws: number; telegram: number; alb: number };

/**
 * The sandbox's fixed ports taken by something else, found before anything is created: a start that
 * cannot bind them is a failure of the world (exit 1), not of the command line, and leaves no folder.
 */
export function portsTakenError(taken: readonly PortHolder[]): PreflightError {
  const list = describeHolders(taken);
  const verb = taken.length === 1 ? "is" : "are";
  const dirs = [...new Set(taken.map((h) => h.sandboxDir))];
  const dir = dirs.length === 1 ? dirs[0] : undefined;
  const remedy =
    dir !== undefined
      ? `that is the sandbox started in ${dir}: use it (run bluegreen there, or pass --config-dir ${dir}) or stop it with \`bluegreen sandbox down --config-dir ${dir}\``
      : `stop what holds ${taken.length === 1 ? "it" : "them"}, then \`bluegreen sandbox up\` again (the sandbox needs 127.0.0.1 ports ${taken.map((h) => h.port).join(", ")} free)`;
  return new PreflightError(`the sandbox cannot start: ${list} ${verb} already in use`, remedy);
}

/** The last lines of the daemon's log, to quote once the folder is removed. */
async function logTail(file: string): Promise<string> {
  const text = await readFile(file, "utf8").catch(() => "");
  return text.trim().split("\n").slice(-5).join("\n");
}

/** `ports`: the fixed sandbox ports, other ones only in tests. */
export async function sandbox(p: Parsed, out: Output, ports: SandboxPorts = SANDBOX_PORTS): Promise<number> {
  const [action] = expectPositionals(p, ["up|down|status"]);
  const base = p.flags.configDir ?? process.cwd();
  const paths = sandboxPaths(base);
  const current = await readState(paths.stateFile);
  if (action === "up") {
    if (current !== null && p.flags.legacy && current.legacy !== true) {
      // It used to say "already running" and exit 0: the legacy world the caller asked for was never created.
      throw new UsageError(
        `the sandbox already runs (pid ${current.pid}) without --legacy: --legacy only applies when the sandbox starts; nothing was touched`,
        "`bluegreen sandbox down`, then `bluegreen sandbox up --legacy`",
      );
    }
    if (current !== null) {
      // --json: stdout carries only NDJSON (CLI.md), the already-running case too.
      if (p.flags.json) {
        out.json({ type: "result", command: "sandbox", outcome: "up", exitCode: EXIT.ok, alreadyRunning: true, ...current });
        return EXIT.ok;
      }
      out.line(`sandbox already running (pid ${current.pid}): AWS ${current.aws}, Telegram ${current.telegram}, ALB ${current.alb}`);
      return EXIT.ok;
    }
    const taken = await busyPorts("127.0.0.1", Object.values(ports));
    if (taken.length > 0) throw portsTakenError(taken);
    // Only what this start creates is removed when it fails: an existing .bluegreen/ holds other state (locks, history).
    const created = [join(base, ".bluegreen"), paths.root].find((d) => !existsSync(d));
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
    if (s === null) {
      if (child.pid !== undefined && alive(child.pid)) process.kill(child.pid, "SIGKILL");
      const tail = await logTail(paths.log);
      const stillTaken = await busyPorts("127.0.0.1", Object.values(ports));
      if (existsSync(paths.runtime)) await killAllContainers(paths.runtime).catch(() => 0);
      if (created !== undefined) await rm(created, { recursive: true, force: true });
      if (stillTaken.length > 0) throw portsTakenError(stillTaken);
      throw new PreflightError(
        `the sandbox did not start${tail !== "" ? `; its log ends with:\n${tail}` : ""}`,
        `run \`bluegreen sandbox up\` again; 127.0.0.1 ports ${Object.values(ports).join(", ")} must be free`,
      );
    }
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
    if (p.flags.json) {
      out.json({ type: "result", command: "sandbox", outcome: "down", exitCode: EXIT.ok, wasRunning: current !== null, leftoverProcessesStopped: killed });
      return EXIT.ok;
    }
    out.line(current === null ? `sandbox was not running${killed > 0 ? `; stopped ${killed} leftover bot process(es)` : ""}` : "sandbox down");
    return EXIT.ok;
  }
  if (action === "status") {
    // Not running here: say whether something else (often another folder's sandbox) holds the ports.
    const taken = current === null ? await busyPorts("127.0.0.1", Object.values(ports)) : [];
    if (p.flags.json)
      out.json({
        type: "result",
        command: "sandbox",
        outcome: current === null ? "down" : "up",
        exitCode: 0,
        ...(current ?? {}),
        ...(taken.length > 0 ? { portsTaken: taken } : {}),
      });
    else
      out.line(
        current === null
          ? notRunningLine(taken)
          : `sandbox up (pid ${current.pid}) since ${current.startedAt}: AWS ${current.aws}, Telegram ${current.telegram}, ALB ${current.alb}`,
      );
    return EXIT.ok;
  }
  throw new UsageError(`sandbox ${JSON.stringify(action)}: unknown action`, "use sandbox up, sandbox down or sandbox status");
}

function notRunningLine(taken: readonly PortHolder[]): string {
  if (taken.length === 0) return "sandbox is not running (bluegreen sandbox up)";
  const dirs = [...new Set(taken.map((h) => h.sandboxDir))];
  const dir = dirs.length === 1 ? dirs[0] : undefined;
  if (dir !== undefined)
    return `sandbox is not running in this folder, but the sandbox started in ${dir} holds its ports (pid ${taken[0]?.pid}): pass --config-dir ${dir}, or run bluegreen there`;
  return `sandbox is not running, and ${describeHolders(taken)} ${taken.length === 1 ? "is" : "are"} in use: \`bluegreen sandbox up\` would fail until ${taken.length === 1 ? "it is" : "they are"} free`;
}
