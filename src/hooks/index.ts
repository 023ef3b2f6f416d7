// Hooks: the operator's own local commands at fixed points of a release (preRelease, postCutover,
// postRelease, postRollback). Each is an argv run without a shell (a value can never become shell
// syntax), with the release's facts in BLUEGREEN_* variables, a deadline (the whole process group
// is killed by pid), and its output captured and redacted, so it can be shown and kept in history.
import { spawn } from "node:child_process";
import type { Config } from "../config/types.js";
import { formatDuration } from "../util/duration.js";
import { redact } from "../util/redact.js";

export type HookName = "preRelease" | "postCutover" | "postRelease" | "postRollback";

export interface HookVars {
  environment: string;
  colour: string | null;
  fromColour: string | null;
  image: string;
  releaseId: string;
}

export interface HookOptions {
  /** Default 5 minutes (hooks.timeout). */
  timeoutMs?: number;
  /** Default: this process's working directory. */
  cwd?: string;
  /** The variables the hook inherits besides BLUEGREEN_*; default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Each output line as it arrives (already redacted), e.g. to show it live. */
  onLine?: (line: string) => void;
  /** After SIGTERM at the deadline, how long before SIGKILL; default 2 s. */
  killGraceMs?: number;
  /** Aborted when bluegreen itself is asked to stop (SIGINT/SIGTERM): the hook's group gets SIGTERM, then SIGKILL. */
  signal?: AbortSignal;
}

export interface HookResult {
  /** The exit code; null when it was killed (timeout or signal) or never started. */
  code: number | null;
  /** stdout and stderr interleaved, redacted, the last MAX_OUTPUT characters. */
  output: string;
  timedOut: boolean;
  /** Set when the command could not be started (e.g. "spawn ./backup.sh ENOENT"). */
  startError?: string;
  durationMs: number;
  /** The deadline it ran under. */
  timeoutMs: number;
}

export const DEFAULT_HOOK_TIMEOUT_MS = 5 * 60_000;
const MAX_OUTPUT = 64 * 1024;

/**
 * The process groups of hooks running now. A hook has its own group (so the terminal's Ctrl-C does
 * not reach it): when bluegreen has to exit at once (a second signal), it ends them by pid first.
 */
const running = new Set<number>();

export function killRunningHooks(signal: NodeJS.Signals = "SIGKILL"): number[] {
  const pids = [...running];
  for (const pid of pids) {
    try {
      process.kill(-pid, signal);
    } catch {
      // Already gone.
    }
  }
  return pids;
}

export function hookEnv(vars: HookVars, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return {
    ...base,
    BLUEGREEN_ENVIRONMENT: vars.environment,
    BLUEGREEN_COLOUR: vars.colour ?? "",
    BLUEGREEN_PREVIOUS_COLOUR: vars.fromColour ?? "",
    BLUEGREEN_IMAGE: vars.image,
    BLUEGREEN_RELEASE_ID: vars.releaseId,
  };
}

export function runHook(name: HookName | string, argv: readonly string[], vars: HookVars, opts: HookOptions = {}): Promise<HookResult> {
  const started = Date.now();
  const timeoutMs = opts.timeoutMs ?? DEFAULT_HOOK_TIMEOUT_MS;
  const [command, ...args] = argv;
  if (command === undefined || command === "")
    return Promise.resolve({ code: null, output: "", timedOut: false, startError: `the ${name} hook has no command`, durationMs: 0, timeoutMs });
  return new Promise((resolve) => {
    let output = "";
    let partial = "";
    let timedOut = false;
    let startError: string | undefined;
    const child = spawn(command, args, {
      cwd: opts.cwd,
      env: hookEnv(vars, opts.env),
      stdio: ["ignore", "pipe", "pipe"],
      // Its own process group, so the deadline kills grandchildren too (they would hold the pipes open).
      detached: true,
    });
    const onData = (chunk: Buffer): void => {
      const text = redact(chunk.toString("utf8"));
      output = (output + text).slice(-MAX_OUTPUT);
      if (opts.onLine === undefined) return;
      const lines = (partial + text).split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) opts.onLine(line);
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    const killGroup = (signal: NodeJS.Signals): void => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, signal);
      } catch {
        // Already gone.
      }
    };
    if (child.pid !== undefined) running.add(child.pid);
    let graceTimer: NodeJS.Timeout | undefined;
    const end = (): void => {
      killGroup("SIGTERM");
      graceTimer ??= setTimeout(() => killGroup("SIGKILL"), opts.killGraceMs ?? 2000);
    };
    const deadline = setTimeout(() => {
      timedOut = true;
      end();
    }, timeoutMs);
    // bluegreen was asked to stop: so is the hook, grandchildren included.
    if (opts.signal?.aborted === true) end();
    else opts.signal?.addEventListener("abort", end, { once: true });
    child.on("error", (e) => {
      startError = redact(e.message);
    });
    child.on("close", (code) => {
      if (child.pid !== undefined) running.delete(child.pid);
      opts.signal?.removeEventListener("abort", end);
      clearTimeout(deadline);
      if (graceTimer !== undefined) clearTimeout(graceTimer);
      if (partial !== "" && opts.onLine !== undefined) opts.onLine(partial);
      resolve({
        code: timedOut || startError !== undefined ? null : code,
        output,
        timedOut,
        ...(startError !== undefined ? { startError } : {}),
        durationMs: Date.now() - started,
        timeoutMs,
      });
    });
  });
}

export function hookSucceeded(result: HookResult): boolean {
  return result.code === 0;
}

/** Runs the hook the config names, or returns null when it names none. */
export function runConfiguredHook(
  config: Pick<Config, "hooks">,
  name: HookName,
  vars: HookVars,
  opts: Omit<HookOptions, "timeoutMs"> = {},
): Promise<HookResult> | null {
  const argv = config.hooks?.[name];
  if (argv === undefined) return null;
  return runHook(name, argv, vars, { ...opts, timeoutMs: config.hooks?.timeout ?? DEFAULT_HOOK_TIMEOUT_MS });
}

/** One error text for a failed hook: what ran, how it ended, and the last lines it printed. */
export function hookFailureMessage(name: string, result: HookResult, argv?: readonly string[]): string {
  const what = `the ${name} hook${argv !== undefined ? ` (${argv.join(" ")})` : ""}`;
  const how =
    result.startError !== undefined
      ? `could not start: ${result.startError}`
      : result.timedOut
        ? `was killed after ${formatDuration(result.timeoutMs)} (hooks.timeout)`
        : result.code === null
          ? "was killed by a signal"
          : `exited with code ${result.code}`;
  const tail = lastLines(result.output, 10);
  return `${what} ${how}${tail.length > 0 ? `; its last output:\n${tail.map((l) => `| ${l}`).join("\n")}` : ""}`;
}

/** What an audit (history) record keeps of a hook run: small, redacted, no environment. */
export function hookRecord(name: string, result: HookResult): { name: string; code: number | null; timedOut: boolean; durationMs: number; output: string } {
  return { name, code: result.code, timedOut: result.timedOut, durationMs: result.durationMs, output: result.output.slice(-4000) };
}

function lastLines(text: string, n: number): string[] {
  return text
    .split("\n")
    .map((l) => l.trimEnd())
    .filter((l) => l !== "")
    .slice(-n);
}
