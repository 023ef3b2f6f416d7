// Did the bake see any traffic? A bake that no update reached proves that the release runs, not
// that it answers updates (a bot that fails every update bakes clean with no traffic), so the
// result and the history say "no update arrived: unverified" instead of calling it verified. The
// ALB counts the deliveries: RequestCount of the colour's target group since the cutover (in
// webhook mode every request through the listener is an update from Telegram). CloudWatch
// publishes ALB metrics per minute and a few minutes late, so a bake of a minute or two may see
// none yet; then it says unverified too, never verified.
import type { Goal } from "../domain/decide.js";
import { redact } from "../util/redact.js";
import type { Ctx } from "./context.js";

export interface BakeUpdates {
  /** Update deliveries that reached the colour during the bake; null when they could not be counted. */
  arrived: number | null;
  verified: boolean;
  message: string;
}

/** undefined: nothing to count (a poller has no listener; a context without CloudWatch). */
export async function countBakeUpdates(ctx: Ctx, goal: Goal, since: number): Promise<BakeUpdates | undefined> {
  if (goal.mode === "polling" || ctx.monitoring === undefined) return undefined;
  try {
    const m = await ctx.monitoring.targetGroupMetrics({
      listenerArn: ctx.listenerArn,
      targetGroupArn: ctx.targetGroups[goal.colour].arn,
      from: since,
      to: ctx.clock.now(),
    });
    if (m.requests > 0) {
      return { arrived: m.requests, verified: true, message: `${m.requests} update deliveries reached ${goal.colour} during the bake: verified` };
    }
    return {
      arrived: 0,
      verified: false,
      message: `no update arrived: unverified (the bake saw ${goal.colour} run, not answer an update)`,
    };
  } catch (e) {
    const why = redact(e instanceof Error ? e.message : String(e));
    return { arrived: null, verified: false, message: `updates could not be counted (CloudWatch GetMetricData: ${why}): unverified` };
  }
}
