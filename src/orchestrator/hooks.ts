// Running the environment's hooks at their points of a release, reported as steps and kept for
// the audit record. Only a failing preRelease hook stops anything (before any change of ours).
import { PreflightError } from "../errors.js";
import { type HookName, hookFailureMessage, hookRecord } from "../hooks/index.js";
import { runReportedHook } from "../hooks/reported.js";
import { cancelledBy, throwIfCancelled } from "./cancel.js";
import type { Ctx } from "./context.js";

export type HookRecord = ReturnType<typeof hookRecord>;

/** What a hook is told: the colour (or, returning to the unmanaged release, its target group) it concerns. */
export interface HookSubject {
  colour: string | null;
  from: string | null;
  image: string;
  releaseId: string;
}

export async function runHookAt(ctx: Ctx, name: HookName, goal: HookSubject, records: HookRecord[]): Promise<void> {
  const hooks = ctx.settings.hooks;
  if (hooks?.[name] === undefined) return;
  // After SIGINT/SIGTERM no hook starts: the operator asked everything to stop.
  if (cancelledBy(ctx) !== null) {
    ctx.reporter.step({ step: `hook:${name}`, status: "skip", message: "cancelled" });
    return;
  }
  const vars = { environment: ctx.settings.environment, colour: goal.colour, fromColour: goal.from, image: goal.image, releaseId: goal.releaseId };
  const result = await runReportedHook({ hooks }, name, vars, ctx.reporter, ctx.cancel !== undefined ? { signal: ctx.cancel } : {});
  if (result === null) return;
  records.push(hookRecord(name, result));
  // A preRelease hook ended by the signal did not fail on its own: the run winds down as cancelled.
  // (Later hooks only report; the run itself stops at its next step.)
  if (name === "preRelease") throwIfCancelled(ctx);
  if (name === "preRelease" && result.code !== 0) {
    throw new PreflightError(hookFailureMessage(name, result, hooks[name]), "fix the hook (run it by hand to see why); nothing was changed");
  }
}
