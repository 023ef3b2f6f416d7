// The bake: after the cutover, watch the new colour for the bake window (its containers, target
// health, Telegram, gates.alarms and gates.metrics). A "fail" verdict rolls
// back at once; "wait" verdicts (a blip: Telegram unreachable, one slow /health) roll back only
// after gates.telegramMisses of them in a row.
import type { Goal } from "../domain/decide.js";
import { combine, memoryVerdict, OK, onHost, pollingVerdict, targetHealthVerdict, type Verdict, webhookVerdict } from "../domain/gates.js";
import type { ContainerFacts } from "../domain/types.js";
import { containerName } from "../remote/docker.js";
import { throwIfCancelled } from "./cancel.js";
import { alarmGate, metricsGate } from "./cloudwatch-gates.js";
import { inspectContainers, inspectWithMemory } from "./containers.js";
import type { ConnectedHost, Ctx } from "./context.js";
import { mapLimit } from "./context.js";
import { checksHealth, containerOnHost, healthOnHost } from "./gates.js";
import type { World } from "./observe.js";

export class BakeFailed extends Error {
  constructor(
    readonly reason: string,
    readonly detectedAt: number,
    /** A canary/linear step that failed (absent: the bake after 100%). */
    readonly shift?: { step: number; of: number; percent: number },
  ) {
    super(reason);
  }
}

/** The new colour's restart counts per host as `world` saw them (0 where it has no container). */
export function baselineFrom(world: Pick<World, "hosts">, goal: Goal): Map<string, number> {
  return new Map(world.hosts.map((h) => [h.instanceId, h.containers[goal.colour]?.restartCount ?? 0] as const));
}

export async function restartBaseline(ctx: Ctx, goal: Goal): Promise<Map<string, number>> {
  const counts = await mapLimit(ctx.hosts, ctx.settings.rollout.hostConcurrency, async (h) => {
    const c = (await inspectContainers(h, ctx.settings.container.name))[goal.colour];
    return [h.instanceId, c?.restartCount ?? 0] as const;
  });
  return new Map(counts);
}

/**
 * How long a bake lets a host go uninspected while its /health and its target answer fine (#17).
 * The inspect (+ stats) is one exec per host per check, the bake's biggest cost. Between inspects a
 * restart is not lost: restart counts are cumulative, so the next inspect (at the latest the bake's
 * closing one) counts it against the baseline. What waiting can delay is gates.maxMemory: usage
 * above it that is neither OOM-killed (a restart) nor breaks /health is seen at most this much
 * later. A leak grows over seconds to minutes, so 5 s keeps that delay small against any
 * practical bake while a bake with a sub-second interval inspects a few times instead of every check.
 */
export const BAKE_INSPECT_EVERY_MS = 5_000;

/**
 * Whether a bake check inspects a host's containers and memory (one exec): pure, tested row by
 * row. Asked first before the check's answers (healthOk/targetOk undefined), then again with them.
 * - No /health to ask (a poller, or across a mode switch): the container is the only signal, every check.
 * - A closing check (see closingCheck: one that ends the bake if it passes): its reading covers
 *   the whole window (cumulative restart counts) and is the world the run goes on with.
 * - BAKE_INSPECT_EVERY_MS since this host's last inspect (gates.maxMemory, and restarts seen early).
 * - /health failed or did not answer, or a target is not healthy: the container says whether it
 *   crashed or was OOM-killed, a failure at once with its exact reason instead of a miss.
 */
export function bakeInspects(o: { healthChecked: boolean; closing: boolean; sinceInspectMs: number; healthOk?: boolean; targetOk?: boolean }): boolean {
  return !o.healthChecked || o.closing || o.sinceInspectMs >= BAKE_INSPECT_EVERY_MS || o.healthOk === false || o.targetOk === false;
}

/**
 * Whether a bake check is a closing one: it starts at or after the window's end AND, if it passes,
 * completes gates.bakeEvidence of every kind, so the bake ends with it. Pure, tested row by row.
 * A check past the window's end that cannot end the bake (a bake extended for evidence: it still
 * lacks two checks of a kind) is an ordinary check: its inspect (one exec per host) would be read
 * again by the check that does end the bake, and restart counts are cumulative, so it proves
 * nothing that one does not (#17: it was 1 more inspect per host in a bake one round short).
 */
export function closingCheck(o: { startedAt: number; end: number; evidence: Readonly<Evidence>; need: number }): boolean {
  return o.startedAt >= o.end && Object.values(o.evidence).every((n) => n + 1 >= o.need);
}

type Containers = Partial<Record<Goal["colour"], ContainerFacts>>;

/** One host's containers and the new one's memory (one exec), judged against the restart baseline. */
async function inspectOnHost(
  ctx: Ctx,
  h: ConnectedHost,
  goal: Goal,
  baseline: Map<string, number>,
  cutoverAt: number,
): Promise<{ container: Verdict; memory: Verdict; read: Containers }> {
  const name = containerName(ctx.settings.container.name, goal.colour);
  // The restart baseline was taken just before the cutover: its exits are in this window.
  const exitWindowSeconds = (ctx.clock.now() - cutoverAt) / 1000 + 30;
  // The containers and the new one's memory in one exec (#17).
  const read = await inspectWithMemory(h, ctx.settings.container.name, goal.colour);
  const container = await containerOnHost(ctx, h, goal, baseline.get(h.instanceId) ?? 0, exitWindowSeconds, read.containers);
  return { container, memory: onHost(h.instanceId, memoryVerdict(name, read.memory, ctx.settings.gates.maxMemoryBytes)), read: read.containers };
}

/**
 * A host's verdict in a bake round. Every check that can fail is made and the most specific
 * failure reported (combine): a memory hog both crosses gates.maxMemory and gets OOM-killed and
 * restarted, and which of those a round sees first must not change the reason. /health is asked
 * only of a container the inspect found fine (or before the inspect, when it decides on one).
 */
function hostBakeVerdict(i: { container: Verdict; memory: Verdict }, health: Verdict | undefined): Verdict {
  return combine([i.container, i.memory, ...(i.container.kind === "ok" && health !== undefined ? [health] : [])]);
}

async function telegramVerdict(ctx: Ctx, goal: Goal, sinceSec: number, signal: AbortSignal): Promise<Verdict> {
  try {
    const info = await ctx.telegram.getWebhookInfo({ signal });
    // The run's latest reading of the webhook: the observe after the bake takes it instead of asking again.
    ctx.lastWebhook = info;
    if (goal.mode === "polling") return pollingVerdict(info, ctx.settings.gates.maxPendingUpdates);
    return webhookVerdict(info, { url: ctx.settings.webhook.urls[goal.colour], since: sinceSec, maxPendingUpdates: ctx.settings.gates.maxPendingUpdates });
  } catch (e) {
    return { kind: "wait", reason: `Telegram did not answer getWebhookInfo: ${e instanceof Error ? e.message : String(e)}` };
  }
}

/** Successful checks of each kind since the cutover: a bake passes only with gates.bakeEvidence of each. */
export interface Evidence {
  telegram: number;
  health: number;
  targets: number;
}

const MISSING: Record<keyof Evidence, string> = {
  telegram: "Telegram could not be checked (getWebhookInfo)",
  health: "the health endpoint could not be checked (/health on every host)",
  targets: "the ALB target health could not be checked",
};

function lacking(e: Evidence, need: number): (keyof Evidence)[] {
  return (Object.keys(e) as (keyof Evidence)[]).filter((k) => e[k] < need);
}

const seconds = (ms: number): string => `${Math.round(ms / 100) / 10}s`;

/**
 * Watch the new colour from the cutover to the end of the bake (and of the settle window). A
 * "fail" verdict rolls back at once; gates.telegramMisses "wait" verdicts in a row roll back too.
 * The bake needs evidence: gates.bakeEvidence successful checks of Telegram, /health and target
 * health each. A check still running when the window ends counts as a miss. Short of evidence at
 * the end, the bake is extended by up to gates.timeout, then rolled back naming what was unchecked.
 */
export async function bake(
  ctx: Ctx,
  goal: Goal,
  cutoverAt: number,
  baseline: Map<string, number>,
  bakeMs: number,
  settleUntil = 0,
): Promise<Map<string, Containers>> {
  const g = ctx.settings.gates;
  // A bot may call setWebhook a few seconds after start-up: keep watching until the settle window ends.
  const end = Math.max(cutoverAt + bakeMs, settleUntil);
  // The operator asked for bakeMs (--bake or gates.bake): a longer watch says why, up front.
  if (settleUntil > cutoverAt + bakeMs)
    ctx.reporter.step({
      step: "bake",
      status: "info",
      colour: goal.colour,
      message: `the bake lasts ${seconds(end - cutoverAt)}, past its ${seconds(bakeMs)} window: the new containers must have run for gates.settle (${seconds(g.settleMs)}) before it can pass`,
    });
  const hardEnd = end + g.timeoutMs;
  const need = g.bakeEvidence;
  const sinceSec = Math.floor(cutoverAt / 1000);
  const expected = ctx.hosts.map((h) => ({ id: h.instanceId, port: ctx.settings.hostPorts[goal.colour] }));
  const evidence: Evidence = { telegram: 0, health: 0, targets: 0 };
  let misses = 0;
  let extending = false;
  // A Telegram check (with its retries) never runs past the end of the extension: a black-holed
  // API must not hold the bake open beyond gates.timeout.
  const hardDeadline = AbortSignal.timeout(Math.max(1, hardEnd - ctx.clock.now()));
  const healthChecked = checksHealth(ctx, goal);
  /** When each host was last inspected (the baseline is the cutover's reading). */
  const inspectedAt = new Map<string, number>();
  for (;;) {
    // A signal ends the bake (the caller rolls back): waiting out a 30-minute window is not "finishing a step".
    throwIfCancelled(ctx);
    const started = ctx.clock.now();
    const closing = closingCheck({ startedAt: started, end, evidence, need });
    const due = (h: ConnectedHost, answers: { healthOk?: boolean; targetOk?: boolean } = {}) =>
      bakeInspects({ healthChecked, closing, sinceInspectMs: started - (inspectedAt.get(h.instanceId) ?? cutoverAt), ...answers });
    /** One host in this round: inspected when due before any answer, else /health first (see bakeInspects). */
    const onHostRound = async (h: ConnectedHost) => {
      if (due(h)) {
        const i = await inspectOnHost(ctx, h, goal, baseline, cutoverAt);
        const health = i.container.kind === "ok" ? await healthOnHost(ctx, h, goal) : undefined;
        return { h, health, inspected: i as { container: Verdict; memory: Verdict; read: Containers } | undefined };
      }
      return { h, health: await healthOnHost(ctx, h, goal), inspected: undefined };
    };
    const [round, tg, tel, alarms, metrics] = await Promise.all([
      mapLimit(ctx.hosts, ctx.settings.rollout.hostConcurrency, onHostRound),
      // A poller is in no target group.
      goal.mode === "polling"
        ? Promise.resolve(OK)
        : ctx.lb.targetHealth(ctx.targetGroups[goal.colour].arn).then(
            (views) => targetHealthVerdict(views, expected),
            (e: unknown): Verdict => ({ kind: "wait", reason: `DescribeTargetHealth failed: ${e instanceof Error ? e.message : String(e)}` }),
          ),
      telegramVerdict(ctx, goal, sinceSec, hardDeadline),
      alarmGate(ctx),
      metricsGate(ctx, goal.colour, cutoverAt),
    ]);
    // /health failed or a target is unhealthy: inspect the hosts not inspected yet this round, so a
    // crash or an OOM kill fails the bake now with its own reason (the /health answer is kept).
    //
    // A round that fails on another check (Telegram's delivery errors, an alarm) inspects the hosts
    // it did not, before reporting: an OOM kill or a crash shows as delivery errors too, and the
    // container's own reason is the one to give (as when every round inspected). One exec per host,
    // only on the way to a rollback.
    const othersFail = combine([tg, tel, alarms, metrics]).kind === "fail";
    const hosts = await mapLimit(ctx.hosts, ctx.settings.rollout.hostConcurrency, async (h) => {
      const r = round.find((x) => x.h === h);
      let inspected = r?.inspected;
      if (inspected === undefined && (othersFail || due(h, { healthOk: r?.health?.kind === "ok", targetOk: tg.kind === "ok" }))) {
        inspected = await inspectOnHost(ctx, h, goal, baseline, cutoverAt);
      }
      if (inspected === undefined) return { verdict: r?.health ?? OK, read: undefined };
      inspectedAt.set(h.instanceId, started);
      return { verdict: hostBakeVerdict(inspected, r?.health), read: inspected.read };
    });
    const finished = ctx.clock.now();
    // A target the ALB reports unhealthy counts as a miss, not an instant failure: the ALB's own
    // threshold already debounces, and one slow check on a busy host must not undo a good release.
    // Crashes, OOM kills, restarts and Telegram delivery errors still fail at once.
    const host = combine(hosts.map((x) => x.verdict));
    const v = combine([host, tg, tel, alarms, metrics]);
    if (v.kind === "fail") throw new BakeFailed(v.reason, finished);
    // A check that outlasted the window (or its extension) proves nothing about the window: a miss.
    const overran = (started < end && finished > end) || finished > hardEnd;
    if (v.kind === "wait" || overran) {
      misses += 1;
      const reason =
        v.kind === "wait"
          ? v.reason
          : `a check started at ${seconds(started - cutoverAt)} after the cutover was still running when the ${finished > hardEnd ? "extension" : "bake window"} ended`;
      ctx.reporter.step({ step: "bake", status: "info", message: `${reason} (miss ${misses}/${g.telegramMisses})`, colour: goal.colour });
      if (misses >= g.telegramMisses) throw new BakeFailed(`${reason} (${misses} checks in a row)`, finished);
    } else misses = 0;
    if (!overran) {
      if (tel.kind === "ok") evidence.telegram += 1;
      if (host.kind === "ok") evidence.health += 1;
      if (tg.kind === "ok") evidence.targets += 1;
    }
    const now = ctx.clock.now();
    const short = lacking(evidence, need);
    if (now >= end && short.length === 0) {
      // The bake ends with a closing check, which inspected every host: its reading is the world the
      // run goes on with (#17). A check that began inside the window and ended at its end is not
      // one: the closing check follows at once.
      if (closing) return new Map(ctx.hosts.flatMap((h, i) => (hosts[i]?.read !== undefined ? [[h.instanceId, hosts[i].read] as const] : [])));
      continue;
    }
    if (now >= hardEnd) {
      const what = short.map((k) => `${MISSING[k]}: ${evidence[k]} of ${need} checks succeeded`).join("; ");
      throw new BakeFailed(
        `the bake has too little evidence that the release works: ${what} (bake window and gates.timeout ${seconds(g.timeoutMs)} extension over)`,
        now,
      );
    }
    if (now >= end && !extending) {
      extending = true;
      ctx.reporter.step({
        step: "bake",
        status: "info",
        message: `the bake window ended with too little evidence (${short.map((k) => `${k} ${evidence[k]}/${need}`).join(", ")}); extending it by up to gates.timeout (${seconds(g.timeoutMs)})`,
        colour: goal.colour,
      });
    }
    await ctx.clock.sleep(Math.min(g.intervalMs, Math.max(1, (now < end ? end : hardEnd) - now)), ctx.cancel);
  }
}
