// Canary and linear shifts: before the final cutover, traffic moves in weighted steps, each one
// ModifyListener, each watched with the bake's per-colour gates (containers, target health,
// Telegram, alarms, the new colour's own ALB metrics since the step began) for its hold. A failure
// is a BakeFailed naming the step: the release puts all weight back in one ModifyListener.
import type { Goal } from "../domain/decide.js";
import { describeWeights, shiftSteps, weightsFor } from "../domain/strategy.js";
import { encodeShift } from "../domain/tags.js";
import { BakeFailed, bake } from "./bake.js";
import type { Ctx } from "./context.js";
import type { CutoverTimes } from "./cutover.js";
import { setWebhookFor } from "./webhook.js";

export interface ShiftRecord {
  step: number;
  of: number;
  /** The new colour's share. */
  percent: number;
  weights: { blue: number; green: number };
  at: string;
}

export function weightsRecord(goal: Goal, percent: number): { blue: number; green: number } {
  const p = Math.min(100, percent);
  return goal.colour === "green" ? { green: p, blue: 100 - p } : { blue: p, green: 100 - p };
}

/**
 * Whether this goal shifts in steps: a release (not a rollback, never an urgent return) from a live
 * colour of ours. A first release, or one adopting what served before bluegreen, has no colour of
 * ours to split with (the other group is empty or not ours): it moves all at once.
 */
export function shiftsInSteps(ctx: Ctx, goal: Goal, step: { moveListener: boolean }): boolean {
  const strategy = ctx.settings.rollout.strategy ?? { kind: "all-at-once" };
  return (
    strategy.kind !== "all-at-once" && step.moveListener && goal.kind === "release" && !(goal.urgent ?? false) && goal.from !== null && goal.mode !== "polling"
  );
}

/**
 * Runs the steps before 100%; the caller's cutover makes the last one (and must then not move the
 * webhook: it is returned as done). The shared webhook's settings (allowed updates, max connections,
 * certificate) are put right once, before the first step: its URL is the same for both colours, so
 * setting it moves no traffic, and no step in between touches Telegram.
 */
export async function shiftBeforeCutover(
  ctx: Ctx,
  goal: Goal,
  step: { moveWebhook: boolean },
  baseline: Map<string, number>,
  times: CutoverTimes,
  record: ShiftRecord[],
): Promise<void> {
  const strategy = ctx.settings.rollout.strategy ?? { kind: "all-at-once" };
  if (step.moveWebhook) {
    await setWebhookFor(ctx, goal.colour);
    times.webhookMovedAt = ctx.clock.now();
    ctx.reporter.step({
      step: "shift",
      status: "info",
      message: `webhook settings updated once before the first step (${ctx.settings.webhook.urls[goal.colour]})`,
    });
  }
  const arns = { blue: ctx.targetGroups.blue.arn, green: ctx.targetGroups.green.arn };
  for (const s of shiftSteps(strategy)) {
    if (s.percent >= 100) return;
    const what = describeWeights(s.percent, goal.colour);
    await ctx.lb.setForward(ctx.listenerArn, weightsFor(s.percent, goal.colour, arns));
    const at = ctx.clock.now();
    // Traffic moved: from here on a failure is a rollback (exit 2), not an abandoned release.
    times.listenerMovedAt ??= at;
    record.push({ step: s.index, of: s.of, percent: s.percent, weights: weightsRecord(goal, s.percent), at: new Date(at).toISOString() });
    ctx.reporter.step({
      step: "shift",
      status: "info",
      message: `step ${s.index}/${s.of}: ${what} for ${Math.round(s.holdMs / 1000)}s`,
      colour: goal.colour,
      detail: { step: s.index, of: s.of, weights: weightsRecord(goal, s.percent) },
    });
    await ctx.lb.setTags(ctx.listenerArn, encodeShift({ step: s.index, of: s.of, percent: s.percent }));
    try {
      await bake(ctx, goal, at, baseline, s.holdMs);
    } catch (e) {
      if (e instanceof BakeFailed)
        throw new BakeFailed(`step ${s.index}/${s.of} (${what}): ${e.reason}`, e.detectedAt, { step: s.index, of: s.of, percent: s.percent });
      throw e;
    }
  }
}
