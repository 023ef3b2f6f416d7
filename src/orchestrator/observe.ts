// observe: read the world into one plain snapshot. Listener, tags, containers, target health and
// the webhook are read in parallel; nothing here changes anything.

import type { Goal, HostView, Snapshot } from "../domain/decide.js";
import { decodeTags, TAG } from "../domain/tags.js";
import { type ListenerReading, liveByListener, liveByWebhook, readListener } from "../domain/traffic.js";
import { type Colour, type HostFacts, otherColour, type ReleaseTags, type TrafficFacts } from "../domain/types.js";
import { ConfigError, PreflightError } from "../errors.js";
import type { ExecResult, ForwardTarget, ListenerKnown, ListenerView, TargetHealthView, WebhookInfo } from "../ports.js";
import { parseBatch } from "../remote/batch.js";
import { containerName } from "../remote/docker.js";
import { firstLook } from "../remote/phases.js";
import { redact } from "../util/redact.js";
import { byColour, inspectContainers } from "./containers.js";
import type { ConnectedHost, Ctx } from "./context.js";
import { mapLimit } from "./context.js";
import type { Settings } from "./settings.js";

export interface World {
  listener: ListenerView;
  traffic: TrafficFacts;
  tags: ReleaseTags;
  hosts: HostFacts[];
  webhook: WebhookInfo;
  health: Record<Colour, TargetHealthView[]>;
  /**
   * A release's first observe only (`observe(..., { probe: true })`): each host's preflight probe,
   * read in the same exec as its containers. Never carried into a later world: it describes the
   * hosts at this observe, so adoption and the preflight use it only with the world it came with.
   */
  probe?: Map<string, HostProbe>;
}

/** The preflight's answers from a host: `docker version`, `df -Pk /` and `docker ps --all`. */
export interface HostProbe {
  version: ExecResult;
  df: ExecResult;
  ps: ExecResult;
}

const NO_ANSWER: ExecResult = { code: 255, stdout: "", stderr: "" };

/** A release's first exec on each host (phases.firstLook): `docker ps --all` for adoption in a webhook environment. `plan` shows it. */
export function firstLookArgv(s: Pick<Settings, "container" | "mode">, marker?: string): string[] {
  return firstLook([containerName(s.container.name, "blue"), containerName(s.container.name, "green")], s.mode !== "polling", marker);
}

/** A host's containers and its preflight probe in one exec (phases.firstLook). */
async function lookAtHost(ctx: Ctx, h: ConnectedHost): Promise<{ containers: HostFacts["containers"]; probe: HostProbe }> {
  const argv = firstLookArgv(ctx.settings);
  const [inspected, version, df, ps] = parseBatch(argv, await h.remote.exec(argv));
  return { containers: byColour(inspected?.stdout ?? ""), probe: { version: version ?? NO_ANSWER, df: df ?? NO_ANSWER, ps: ps ?? NO_ANSWER } };
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
 * rest from the observe before (every run starts with a whole observe). On the internet each read
 * is a round trip: re-reading the whole world after every step made three quarters of a release's
 * calls. Only a run holding the deploy lock moves these facts, so what our own step did not touch
 * is what we last saw, and what it wrote is known from the write (the listener's tags through the
 * adapter's cache, the webhook through ctx.lastWebhook, a registration through `registered`); what
 * the bots may change on their own (their containers, the webhook) is re-read after every step
 * that waits on them, or taken from the step's own last reading of it (the bake).
 */
export interface Refresh {
  /** The listener's default action (DescribeListeners). */
  listener: boolean;
  /** The listener's tags: the adapter's copy, kept in step with this run's writes (no call once read). */
  tags: boolean;
  /**
   * The listener's path rules (DescribeRules). No run writes them, so they are read with the
   * whole observe every run starts with; the rest of the run keeps that reading.
   */
  rules: boolean;
  /** getWebhookInfo; otherwise the run's last reading or write of it (ctx.lastWebhook). */
  webhook: boolean;
  hosts: boolean;
  /** Target health of these colours' groups. */
  health: readonly Colour[];
}

const ALL: Refresh = { listener: true, tags: true, rules: true, webhook: true, hosts: true, health: ["blue", "green"] };

/**
 * What a step itself read or did that decides what the next observe must read again (#17): a
 * host's containers read by the step's own last exec need no exec of their own.
 */
export interface StepFacts {
  /**
   * The step ended with its own reading of every host's containers, already in the world it hands
   * on (`withHosts`): stage's batch ends with an inspect, and the gates' and the bake's last checks
   * inspect every host. Absent or false: the hosts are read again.
   */
  hostsRead?: boolean;
  /**
   * Whether the hosts are read again after the cutover: it stopped containers (a poller's handover,
   * a mode switch's cutover: `cutoverStopsContainers`), or it was a rollback's, which has no bake to
   * notice a container that stopped as the switches moved. Absent: read again.
   */
  rereadHosts?: boolean;
  /**
   * The gates ran with the run's in-flight record already at the cutover phase (a run resumed after
   * its mark-cutover): decide goes from the gates straight to the cutover, with no mark-cutover read
   * of the webhook in between, so the observe after the gates reads it.
   */
  cutoverMarked?: boolean;
  /**
   * The cutover's ModifyListener answered with the listener's default action as it now is, already
   * in the world it hands on (`withForward`): that answer is the read-back, no DescribeListeners.
   */
  listenerAnswered?: boolean;
}

/** The facts each step of `decide` can move, by the step's name in the run's steps. Pure: tested row by row. */
export function refreshAfter(step: string, colour: Colour, facts: StepFacts = {}): Refresh {
  const none: Refresh = { listener: false, tags: false, rules: false, webhook: false, hosts: false, health: [] };
  const hosts = facts.hostsRead !== true;
  switch (step) {
    // Right before the cutover: the listener is read before it is written, and the check that no
    // bot moved the webhook since the gates needs a fresh reading.
    case "mark-cutover":
      return { ...none, listener: true, tags: true, webhook: true };
    // Tags only, and our own write says what they are now (no call).
    case "mark-staging":
    case "mark-restarting":
    case "finalize":
      return { ...none, tags: true };
    // The default action was written: read back.
    case "reference":
      return { ...none, listener: true, tags: true };
    // A container replaced. Its target's registration is not touched (no run deregisters a target):
    // decide needs only whether it is registered, which the world says. A start-up call to the
    // webhook is the gates' to catch (they compare with the webhook from before the run). The
    // staging batch ends with an inspect of the host's containers: with it, no exec here.
    case "stage":
      return { ...none, hosts };
    // A stopped container started again: whether its targets are healthy now decides whether an
    // urgent rollback may skip the gates, so the group is read.
    case "start":
      return { ...none, hosts: true, health: [colour] };
    // The targets our write registered are put in the world from the write (see `registered`).
    case "register":
      return none;
    // The gates watched the new containers, their target health and the webhook until they passed:
    // the health is not read again (they just saw every target healthy); the containers are the
    // passing attempt's inspect of every host (which decide checks still run), read again only
    // without it (smoke updates posted after it may have crashed one). The webhook is the passing
    // attempt's reading (ctx.lastWebhook): a bot's start-up call after it is caught by the read
    // right before the cutover (mark-cutover), which the cutover compares with the one from before;
    // when the cutover was marked before the gates ran (a resumed run), no mark-cutover comes, so
    // the webhook is read here instead.
    case "gates":
      return { ...none, hosts, webhook: facts.cutoverMarked === true };
    // The switches moved: the listener is read back (from ModifyListener's own answer, which is the
    // listener after the write, when the cutover moved it); the webhook is what the cutover set (the bake
    // reads it at once). A poller's handover and a mode switch's cutover also stop the old
    // containers, so then the hosts are read again too (decide would repeat the cutover
    // otherwise); a webhook release's cutover touches no container. The target groups were watched
    // by the cutover's own checks and are watched again by the bake.
    case "cutover":
      return { ...none, listener: facts.listenerAnswered !== true, tags: true, hosts: facts.rereadHosts !== false };
    // The bake watched the new colour (containers, target health, the webhook) to its end: the
    // webhook is its last reading, and so are the hosts (its last check inspects every host). The
    // listener is as the cutover read it back (only a run holding the lock moves it, and the bake
    // moves nothing).
    case "bake":
      return { ...none, hosts };
    default:
      return ALL;
  }
}

/** Whether a cutover stops containers: a poller's handover, and a mode switch's (either way). Pure. */
export function cutoverStopsContainers(goal: Pick<Goal, "mode" | "switchFrom">): boolean {
  return goal.mode === "polling" || goal.switchFrom !== undefined;
}

/**
 * The world with the hosts' containers a step read itself (instance id -> containers), and whether
 * that reading covers every host (only then may the next observe skip reading the hosts).
 */
export function withHosts(world: World, read: ReadonlyMap<string, HostFacts["containers"]> | undefined): { world: World; hostsRead: boolean } {
  if (read === undefined || read.size === 0) return { world, hostsRead: false };
  // A probe describes the hosts as the observe that read it saw them: not carried on (see World.probe).
  const { probe: _probe, ...rest } = world;
  const hosts = rest.hosts.map((h) => {
    const c = read.get(h.instanceId);
    return c !== undefined ? { ...h, containers: c } : h;
  });
  return { world: { ...rest, hosts }, hostsRead: world.hosts.every((h) => read.has(h.instanceId)) };
}

/** The world with the listener's default action as our own write's answer stated it (the cutover's read-back). */
export function withForward(world: World, forward: readonly ForwardTarget[]): World {
  return { ...world, listener: { ...world.listener, forward: forward.map((f) => ({ ...f })) } };
}

/** The world after our RegisterTargets of `targets` in `colour`'s group: registered (initial until checked), none draining. */
export function registered(world: World, colour: Colour, targets: readonly { id: string; port: number }[]): World {
  const same = (t: { id: string; port: number }, n: { id: string; port: number }) => t.id === n.id && t.port === n.port;
  const kept = world.health[colour].filter((t) => !targets.some((n) => same(t, n)) || t.state !== "draining");
  const added = targets.filter((n) => !kept.some((t) => same(t, n))).map((n) => ({ id: n.id, port: n.port, state: "initial" as const }));
  const health = { ...world.health, [colour]: [...kept, ...added] };
  return { ...world, health, traffic: { ...world.traffic, hasTargets: { ...world.traffic.hasTargets, [colour]: true } } };
}

/**
 * `probe` (a release's first observe): each host's preflight probe is read in the same exec as its
 * containers (#17: one exec per host where there were two), kept in `world.probe`.
 */
export async function observe(ctx: Ctx, previous?: World, refresh: Refresh = ALL, opts: { probe?: boolean } = {}): Promise<World> {
  const fresh = previous === undefined ? ALL : refresh;
  const known: ListenerKnown = {
    ...(previous !== undefined && !fresh.listener ? { forward: previous.listener.forward } : {}),
    ...(previous?.listener.rules !== undefined && !fresh.rules ? { rules: previous.listener.rules } : {}),
  };
  const probe = new Map<string, HostProbe>();
  const [listener, webhook, blue, green, hosts] = await Promise.all([
    previous === undefined || fresh.listener || fresh.tags || fresh.rules ? ctx.lb.describeListener(ctx.listenerArn, known) : previous.listener,
    fresh.webhook || previous === undefined ? webhookInfo(ctx) : (ctx.lastWebhook ?? previous.webhook),
    fresh.health.includes("blue") || previous === undefined ? ctx.lb.targetHealth(ctx.targetGroups.blue.arn) : previous.health.blue,
    fresh.health.includes("green") || previous === undefined ? ctx.lb.targetHealth(ctx.targetGroups.green.arn) : previous.health.green,
    fresh.hosts || previous === undefined
      ? mapLimit(ctx.hosts, ctx.settings.rollout.hostConcurrency, async (h) => {
          if (opts.probe !== true) return { instanceId: h.instanceId, address: h.address, containers: await inspectContainers(h, ctx.settings.container.name) };
          const look = await lookAtHost(ctx, h);
          probe.set(h.instanceId, look.probe);
          return { instanceId: h.instanceId, address: h.address, containers: look.containers };
        })
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
    ...(probe.size > 0 ? { probe } : {}),
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
