// The bake: after the cutover, watch the new colour for the bake window (its containers, target
// health, Telegram, gates.alarms and gates.metrics). A "fail" verdict rolls
// back at once; "wait" verdicts (a blip: Telegram unreachable, one slow /health) roll back only
// after gates.telegramMisses of them in a row.
import type { Goal } from "../domain/decide.js";
import { combine, memoryVerdict, OK, onHost, pollingVerdict, targetHealthVerdict, type Verdict, webhookVerdict } from "../domain/gates.js";
import { containerName } from "../remote/docker.js";
import { containerMemory, inspectContainers } from "./containers.js";
import type { ConnectedHost, Ctx } from "./context.js";
import { mapLimit } from "./context.js";
import { alarmGate, metricsGate } from "./cloudwatch-gates.js";
import { containerOnHost, healthOnHost } from "./gates.js";

export class BakeFailed extends Error {
  constructor(
    readonly reason: string,
    readonly detectedAt: number,
  ) {
    super(reason);
  }
}

export async function restartBaseline(ctx: Ctx, goal: Goal): Promise<Map<string, number>> {
  const counts = await mapLimit(ctx.hosts, ctx.settings.rollout.hostConcurrency, async (h) => {
    const c = (await inspectContainers(h, ctx.settings.container.name))[goal.colour];
    return [h.instanceId, c?.restartCount ?? 0] as const;
  });
  return new Map(counts);
}

/**
 * One host's container, memory and /health in a bake round. Every check that can fail is made and
 * the most specific failure reported (combine): a memory hog both crosses gates.maxMemory and gets
 * OOM-killed and restarted, and which of those a round sees first must not change the reason.
 */
async function hostBakeVerdict(ctx: Ctx, h: ConnectedHost, goal: Goal, baseline: Map<string, number>, cutoverAt: number): Promise<Verdict> {
  const name = containerName(ctx.settings.container.name, goal.colour);
  // The restart baseline was taken just before the cutover: its exits are in this window.
  const exitWindowSeconds = (ctx.clock.now() - cutoverAt) / 1000 + 30;
  const [c, used] = await Promise.all([
    containerOnHost(ctx, h, goal, baseline.get(h.instanceId) ?? 0, exitWindowSeconds),
    containerMemory(h, name).catch(() => null),
  ]);
  const checks = [c, onHost(h.instanceId, memoryVerdict(name, used, ctx.settings.gates.maxMemoryBytes))];
  if (c.kind === "ok") checks.push(await healthOnHost(ctx, h, goal));
  return combine(checks);
}

async function telegramVerdict(ctx: Ctx, goal: Goal, sinceSec: number): Promise<Verdict> {
  try {
    const info = await ctx.telegram.getWebhookInfo();
    if (goal.mode === "polling") return pollingVerdict(info, ctx.settings.gates.maxPendingUpdates);
    return webhookVerdict(info, { url: ctx.settings.webhook.urls[goal.colour], since: sinceSec, maxPendingUpdates: ctx.settings.gates.maxPendingUpdates });
  } catch (e) {
    return { kind: "wait", reason: `Telegram did not answer getWebhookInfo: ${e instanceof Error ? e.message : String(e)}` };
  }
}

export async function bake(ctx: Ctx, goal: Goal, cutoverAt: number, baseline: Map<string, number>, bakeMs: number): Promise<void> {
  const g = ctx.settings.gates;
  const end = cutoverAt + bakeMs;
  const sinceSec = Math.floor(cutoverAt / 1000);
  const expected = ctx.hosts.map((h) => ({ id: h.instanceId, port: ctx.settings.hostPorts[goal.colour] }));
  let misses = 0;
  let checks = 0;
  while (ctx.clock.now() < end || checks === 0) {
    checks += 1;
    const [hosts, tg, tel, alarms, metrics] = await Promise.all([
      mapLimit(ctx.hosts, ctx.settings.rollout.hostConcurrency, (h) => hostBakeVerdict(ctx, h, goal, baseline, cutoverAt)),
      // A poller is in no target group.
      goal.mode === "polling"
        ? Promise.resolve(OK)
        : ctx.lb.targetHealth(ctx.targetGroups[goal.colour].arn).then(
            (views) => targetHealthVerdict(views, expected),
            (e: unknown): Verdict => ({ kind: "wait", reason: `DescribeTargetHealth failed: ${e instanceof Error ? e.message : String(e)}` }),
          ),
      telegramVerdict(ctx, goal, sinceSec),
      alarmGate(ctx),
      metricsGate(ctx, goal.colour, cutoverAt),
    ]);
    // A target the ALB reports unhealthy counts as a miss, not an instant failure: the ALB's own
    // threshold already debounces, and one slow check on a busy host must not undo a good release.
    // Crashes, OOM kills, restarts and Telegram delivery errors still fail at once.
    const v = combine([...hosts, tg, tel, alarms, metrics]);
    if (v.kind === "fail") throw new BakeFailed(v.reason, ctx.clock.now());
    if (v.kind === "wait") {
      misses += 1;
      ctx.reporter.step({ step: "bake", status: "info", message: `${v.reason} (miss ${misses}/${g.telegramMisses})`, colour: goal.colour });
      if (misses >= g.telegramMisses) throw new BakeFailed(`${v.reason} (${misses} checks in a row)`, ctx.clock.now());
    } else misses = 0;
    const left = end - ctx.clock.now();
    if (left <= 0) break;
    await ctx.clock.sleep(Math.min(g.intervalMs, left));
  }
}
