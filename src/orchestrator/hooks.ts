// Running the environment's hooks at their points of a release, reported as steps and kept for
// the audit record. Only a failing preRelease hook stops anything (before any change of ours).
import type { Goal } from "../domain/decide.js";
import { PreflightError } from "../errors.js";
import { type HookName, hookFailureMessage, hookRecord } from "../hooks/index.js";
import { runReportedHook } from "../hooks/reported.js";
import type { Ctx } from "./context.js";

export type HookRecord = ReturnType<typeof hookRecord>;

export async function runHookAt(ctx: Ctx, name: HookName, goal: Pick<Goal, "colour" | "from" | "image" | "releaseId">, records: HookRecord[]): Promise<void> {
  const hooks = ctx.settings.hooks;
  if (hooks?.[name] === undefined) return;
  const vars = { environment: ctx.settings.environment, colour: goal.colour, fromColour: goal.from, image: goal.image, releaseId: goal.releaseId };
  const result = await runReportedHook({ hooks }, name, vars, ctx.reporter);
  if (result === null) return;
  records.push(hookRecord(name, result));
  if (name === "preRelease" && result.code !== 0) {
    throw new PreflightError(hookFailureMessage(name, result, hooks[name]), "fix the hook (run it by hand to see why); nothing was changed");
  }
}
