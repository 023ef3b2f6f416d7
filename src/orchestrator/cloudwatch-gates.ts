// The CloudWatch gates: alarms named in gates.alarms (must exist at preflight, must not be in ALARM
// during the gates and the bake) and the ALB's own metrics of the colour taking traffic against
// gates.metrics. A CloudWatch call that fails is a "wait" (a miss the bake counts), never a pass.
import { alarmVerdict, hasMetricLimits, metricsVerdict, OK, type Verdict } from "../domain/gates.js";
import type { Colour } from "../domain/types.js";
import { BluegreenError, PreflightError } from "../errors.js";
import type { Monitoring } from "../ports.js";
import { redact } from "../util/redact.js";
import type { Ctx } from "./context.js";

const why = (e: unknown) => redact(e instanceof Error ? e.message : String(e));

function monitoringOf(ctx: Ctx): Monitoring {
  if (ctx.monitoring === undefined)
    throw new BluegreenError("gates.alarms / gates.metrics are configured but no CloudWatch client was wired", "internal", "report this as a bug");
  return ctx.monitoring;
}

const alarmNames = (ctx: Ctx): string[] => ctx.settings.gates.alarms ?? [];

/** Preflight: every alarm of gates.alarms exists (a typo would otherwise silently never fire). */
export async function checkAlarmsExist(ctx: Ctx): Promise<void> {
  const names = alarmNames(ctx);
  if (names.length === 0) return;
  const views = await monitoringOf(ctx)
    .alarms(names)
    .catch((e: unknown) => {
      throw new PreflightError(`CloudWatch DescribeAlarms failed: ${why(e)}`, "check the AWS credentials and that the policy allows cloudwatch:DescribeAlarms");
    });
  const missing = names.filter((n) => !views.some((v) => v.name === n));
  if (missing.length > 0) {
    throw new PreflightError(
      `gates.alarms: no CloudWatch alarm named ${missing.map((n) => JSON.stringify(n)).join(", ")} in ${ctx.settings.environment}'s account and region`,
      "create the alarm (aws cloudwatch put-metric-alarm) or fix its name in gates.alarms",
    );
  }
}

export async function alarmGate(ctx: Ctx): Promise<Verdict> {
  const names = alarmNames(ctx);
  if (names.length === 0) return OK;
  try {
    return alarmVerdict(names, await monitoringOf(ctx).alarms(names));
  } catch (e) {
    if (e instanceof BluegreenError) throw e;
    return { kind: "wait", reason: `CloudWatch DescribeAlarms failed: ${why(e)}` };
  }
}

/** The colour's target-group metrics since `since` (when it started taking traffic). */
export async function metricsGate(ctx: Ctx, colour: Colour, since: number): Promise<Verdict> {
  const limits = ctx.settings.gates.metrics;
  if (!hasMetricLimits(limits)) return OK;
  try {
    const m = await monitoringOf(ctx).targetGroupMetrics({
      listenerArn: ctx.listenerArn,
      targetGroupArn: ctx.targetGroups[colour].arn,
      from: since,
      to: ctx.clock.now(),
    });
    return metricsVerdict(colour, m, limits);
  } catch (e) {
    if (e instanceof BluegreenError) throw e;
    return { kind: "wait", reason: `CloudWatch GetMetricData failed: ${why(e)}` };
  }
}
