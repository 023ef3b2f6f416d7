// A hook run as a visible step: "hook:<name>" start/ok/fail events around it and every output line
// as a "hook-output" info event, so the three output modes (live list, plain lines, --json) all
// show it. The caller decides what a failure means (only preRelease stops a release).
import type { Config } from "../config/types.js";
import type { Reporter } from "../ports.js";
import { DEFAULT_HOOK_TIMEOUT_MS, type HookName, type HookOptions, type HookResult, type HookVars, hookFailureMessage, runHook } from "./index.js";

export async function runReportedHook(
  /** The environment's Config, or just its hooks section (e.g. `{ hooks: config.hooks }` passed through ReleaseOptions). */
  config: Pick<Config, "hooks">,
  name: HookName,
  vars: HookVars,
  reporter: Reporter,
  opts: Omit<HookOptions, "timeoutMs" | "onLine"> = {},
): Promise<HookResult | null> {
  const argv = config.hooks?.[name];
  if (argv === undefined) return null;
  const step = `hook:${name}`;
  reporter.step({ step, status: "start", message: argv.join(" ") });
  const result = await runHook(name, argv, vars, {
    ...opts,
    timeoutMs: config.hooks?.timeout ?? DEFAULT_HOOK_TIMEOUT_MS,
    onLine: (line) => reporter.step({ step: "hook-output", status: "info", message: `${name} | ${line}` }),
  });
  if (result.code === 0) reporter.step({ step, status: "ok", message: "exit 0", elapsedMs: result.durationMs });
  else reporter.step({ step, status: "fail", message: hookFailureMessage(name, result, argv).split("\n")[0], elapsedMs: result.durationMs });
  return result;
}
