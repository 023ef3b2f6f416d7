// observe: read the world into one plain snapshot. Listener, tags, containers, target health and
// the webhook are read in parallel; nothing here changes anything.

import type { Goal, HostView, Snapshot } from "../domain/decide.js";
import { decodeTags, TAG } from "../domain/tags.js";
import { type ListenerReading, liveByListener, liveByWebhook, readListener } from "../domain/traffic.js";
import { type Colour, type HostFacts, otherColour, type ReleaseTags, type TrafficFacts } from "../domain/types.js";
import { ConfigError, PreflightError } from "../errors.js";
import type { ListenerView, TargetHealthView, WebhookInfo } from "../ports.js";
import { redact } from "../util/redact.js";
import { inspectContainers } from "./containers.js";
import type { Ctx } from "./context.js";
import { mapLimit } from "./context.js";

export interface World {
  listener: ListenerView;
  traffic: TrafficFacts;
  tags: ReleaseTags;
  hosts: HostFacts[];
  webhook: WebhookInfo;
  health: Record<Colour, TargetHealthView[]>;
}

export function webhookSettingsMatch(ctx: Ctx, info: WebhookInfo): boolean {
  const w = ctx.settings.webhook;
  if (info.maxConnections !== undefined && info.maxConnections !== w.maxConnections) return false;
  if (w.allowedUpdates !== undefined && info.allowedUpdates !== undefined) {
    if ([...w.allowedUpdates].sort().join(",") !== [...info.allowedUpdates].sort().join(",")) return false;
  }
  if (w.certificatePem !== undefined && !info.hasCustomCertificate) return false;
  return true;
}

export function colourArns(ctx: Ctx): Record<Colour, string> {
  return { blue: ctx.targetGroups.blue.arn, green: ctx.targetGroups.green.arn };
}

/** The one reading of the listener (default action and the path rule the webhook's requests match), for every command. */
export function readWorldListener(ctx: Ctx, listener: ListenerView, webhookUrl: string): ListenerReading {
  return readListener(listener.forward, colourArns(ctx), { rules: listener.rules, webhookUrl });
}

export function trafficFacts(ctx: Ctx, listener: ListenerView, webhook: WebhookInfo, health: Record<Colour, TargetHealthView[]>): TrafficFacts {
  const reading = readWorldListener(ctx, listener, webhook.url);
  const hasTargets = { blue: health.blue.some((t) => t.state !== "draining"), green: health.green.some((t) => t.state !== "draining") };
  return {
    weights: reading.weights,
    foreignTargets: reading.foreign.length > 0,
    byRule: reading.byRule,
    hasTargets,
    webhookUrl: webhook.url,
    webhookSettingsMatch: webhookSettingsMatch(ctx, webhook),
  };
}

/**
 * getWebhookInfo, or, when Telegram does not answer, the last answer seen in this run: one
 * unanswered call must not abort a release after its cutover; the bake counts such misses.
 */
async function webhookInfo(ctx: Ctx): Promise<WebhookInfo> {
  try {
    // With a last answer to fall back on, a Telegram that does not answer gets a bounded wait
    // (gates.timeout, at most 10 s) instead of the adapter's retries times its timeout: a black-holed
    // API must not hold every step of a run for 40 s.
    const bound = ctx.lastWebhook !== undefined ? { signal: AbortSignal.timeout(Math.min(ctx.settings.gates.timeoutMs, 10_000)) } : {};
    ctx.lastWebhook = await ctx.telegram.getWebhookInfo(bound);
    return ctx.lastWebhook;
  } catch (e) {
    // The first Telegram call of a run comes before anything changed: a refused token is the operator's to fix (exit 1).
    const code = (e as { errorCode?: unknown }).errorCode;
    if ((code === 401 || code === 404) && ctx.lastWebhook === undefined) {
      throw new PreflightError(
        `Telegram refused the bot token (${redact(e instanceof Error ? e.message : String(e))}): telegram.botToken is wrong or was revoked; nothing was changed`,
        "check the variable telegram.botToken references (@BotFather's /token shows the current one)",
      );
    }
    if (ctx.lastWebhook === undefined) throw e;
    ctx.reporter.step({
      step: "observe",
      status: "info",
      message: `Telegram did not answer getWebhookInfo; using the last answer (${e instanceof Error ? e.message : String(e)})`,
    });
    return ctx.lastWebhook;
  }
}

/** The listener's tags are another environment's state: refuse before reading them as ours. */
export function assertOwnListener(ctx: Ctx, listener: ListenerView): void {
  const owner = listener.tags[TAG.environment];
  if (owner === undefined || owner === ctx.settings.environment) return;
  throw new ConfigError([
    `loadBalancer.listener: ${ctx.listenerArn} carries the release state of environment "${owner.slice(0, 64)}" (tag ${TAG.environment}), not ${ctx.settings.environment}: two environments on one listener would move each other's traffic and overwrite each other's state; give ${ctx.settings.environment} its own listener`,
  ]);
}

/**
 * What a step of the loop may have changed, so the next observe re-reads only that and keeps the
 * rest from the observe before (every fact is re-read by the observe after the cutover and after
 * the bake, and every run starts with a whole observe). On the internet each read is a round
 * trip: re-reading the whole world after every step made three quarters of a release's calls.
 * Only a run holding the deploy lock moves these facts, so what our own step did not touch is what
 * we last saw; what the bots may change on their own (their containers, the webhook) is re-read
 * after every step that waits on them.
 */
export interface Refresh {
  listener: boolean;
  webhook: boolean;
  hosts: boolean;
  /** Target health of these colours' groups. */
  health: readonly Colour[];
}

const ALL: Refresh = { listener: true, webhook: true, hosts: true, health: ["blue", "green"] };

/** The facts each step of `decide` can move, by the step's name in the run's steps. Pure: tested row by row. */
export function refreshAfter(step: string, colour: Colour): Refresh {
  const none: Refresh = { listener: false, webhook: false, hosts: false, health: [] };
  switch (step) {
    // Right before the cutover: its check that no bot moved the webhook since the gates needs a fresh reading.
    case "mark-cutover":
      return { ...none, listener: true, webhook: true };
    // Tags only: they are part of the listener's reading.
    case "mark-staging":
    case "finalize":
    case "reference":
      return { ...none, listener: true };
    // A container started or replaced; its target is (re)registered or drains. A start-up call to
    // the webhook is the gates' to catch (they compare with the webhook from before the run).
    case "stage":
    case "start":
      return { ...none, hosts: true, health: [colour] };
    case "register":
      return { ...none, health: [colour] };
    // The gates watched the new containers for a while: they, their health, and a start-up call to the webhook.
    case "gates":
      return { ...none, webhook: true, hosts: true, health: [colour] };
    // The switches moved. A poller's handover and a mode switch's cutover also stop the old
    // containers, so the hosts are read again too (decide would repeat the cutover otherwise); the
    // target groups were watched by the cutover's own checks and are watched again by the bake.
    case "cutover":
      return { ...none, listener: true, webhook: true, hosts: true };
    default:
      return ALL;
  }
}

export async function observe(ctx: Ctx, previous?: World, refresh: Refresh = ALL): Promise<World> {
  const fresh = previous === undefined ? ALL : refresh;
  const [listener, webhook, blue, green, hosts] = await Promise.all([
    fresh.listener || previous === undefined ? ctx.lb.describeListener(ctx.listenerArn) : previous.listener,
    fresh.webhook || previous === undefined ? webhookInfo(ctx) : previous.webhook,
    fresh.health.includes("blue") || previous === undefined ? ctx.lb.targetHealth(ctx.targetGroups.blue.arn) : previous.health.blue,
    fresh.health.includes("green") || previous === undefined ? ctx.lb.targetHealth(ctx.targetGroups.green.arn) : previous.health.green,
    fresh.hosts || previous === undefined
      ? mapLimit(ctx.hosts, ctx.settings.rollout.hostConcurrency, async (h) => ({
          instanceId: h.instanceId,
          address: h.address,
          containers: await inspectContainers(h, ctx.settings.container.name),
        }))
      : previous.hosts,
  ]);
  assertOwnListener(ctx, listener);
  return {
    listener,
    traffic: trafficFacts(ctx, listener, webhook, { blue, green }),
    tags: decodeTags(listener.tags),
    hosts,
    webhook,
    health: { blue, green },
  };
}

export function isRegistered(world: World, colour: Colour, instanceId: string, port: number): boolean {
  return world.health[colour].some((t) => t.id === instanceId && t.port === port && t.state !== "draining");
}

export function snapshotFor(ctx: Ctx, world: World, goal: Goal): Snapshot {
  const polling = goal.mode === "polling";
  const hosts: HostView[] = world.hosts.map((h) => ({
    instanceId: h.instanceId,
    container: h.containers[goal.colour],
    other: h.containers[otherColour(goal.colour)],
    // A poller is in no target group: nothing to register.
    registered: polling || isRegistered(world, goal.colour, h.instanceId, ctx.settings.hostPorts[goal.colour]),
    // No ALB for a poller: its gates are its own (running, /health when configured).
    healthy: polling || world.health[goal.colour].some((t) => t.id === h.instanceId && t.port === ctx.settings.hostPorts[goal.colour] && t.state === "healthy"),
  }));
  return { hosts, traffic: world.traffic, urls: ctx.settings.webhook.urls, tags: world.tags };
}

/** Live colour as both switches see it; `consistent` is false when they disagree. */
export function liveColours(
  ctx: Ctx,
  world: World,
): { byListener: Colour | null; byWebhook: Colour | "shared" | null; live: Colour | null; consistent: boolean } {
  const byListener = liveByListener(world.traffic);
  const byWebhook = liveByWebhook(world.webhook.url, ctx.settings.webhook.urls);
  const live = byWebhook === "shared" ? byListener : byWebhook === byListener ? byListener : null;
  const consistent = byListener !== null && (byWebhook === "shared" || byWebhook === byListener);
  return { byListener, byWebhook, live, consistent };
}

/**
 * The live colour a release starts from. Webhook mode: the listener's (the switch that moves
 * traffic), and only once something was released. Polling mode: the recorded live release (the
 * running poller; no listener says it).
 */
export function startingLive(ctx: Ctx, world: World): Colour | null {
  if (world.tags.live === null) return null;
  return ctx.settings.mode === "polling" ? world.tags.live.colour : liveByListener(world.traffic);
}
