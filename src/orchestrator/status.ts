// `status`: both switches, both colours, the lock and any release in flight, in one report.
// Changes nothing. `consistent` is false on drift: exit 3.
import { containerVerdict, targetHealthVerdict } from "../domain/gates.js";
import { describeWeights, shareOf } from "../domain/strategy.js";
import { colourMode, switchSource } from "../domain/switch.js";
import { KNOWN_KEYS, TAG } from "../domain/tags.js";
import { liveByWebhook, readListener } from "../domain/traffic.js";
import { COLOURS, type Colour, type InFlight, otherColour } from "../domain/types.js";
import type { TargetHealthView } from "../ports.js";
import type { Lease } from "../remote/lock.js";
import type { Ctx } from "./context.js";
import { describeLease, leaseStaleWhy, readLease } from "./lock.js";
import { colourArns, liveColours, observe, type World } from "./observe.js";
import { describeSwitchedRecord, switchedRecord } from "./switched-record.js";
import { digestIn } from "./tag-trust.js";
import { adoptionFrom, groupName, listHostContainers, type UnmanagedRelease } from "./unmanaged.js";
import { coldBecause } from "./warmth.js";

export interface ColourReport {
  targetGroup: string;
  hostPort: number;
  release: string | null;
  targets: TargetHealthView[];
  containers: {
    instanceId: string;
    name: string;
    mode: "webhook" | "polling";
    release: string | null;
    image: string | null;
    running: boolean;
    status: string;
    restarts: number;
    startedAt: string | null;
    oomKilled: boolean;
  }[];
}

export interface StatusReport {
  environment: string;
  /** Nothing was ever released to this environment (no bluegreen tags on the listener). */
  neverReleased: boolean;
  /** How the bot gets its updates (telegram.mode). */
  mode: "webhook" | "polling";
  /** How the live release gets them (its containers' label); differs from `mode` until a switch is released. */
  runningMode: "webhook" | "polling" | null;
  /** telegram.mode differs from what runs: the next release is a mode switch from this release. */
  pendingSwitch: { from: "webhook" | "polling"; to: "webhook" | "polling"; colour: Colour; releaseId: string } | null;
  live: Colour | null;
  liveByListener: Colour | null;
  webhook: { url: string; colour: Colour | "shared" | null; pendingUpdateCount: number; lastErrorDate: number | null; lastErrorMessage: string | null };
  colours: Record<Colour, ColourReport>;
  liveRelease: { releaseId: string; image: string; colour: Colour } | null;
  previousRelease: { releaseId: string; image: string; colour: Colour } | null;
  previousWarmUntil: string | null;
  /**
   * Whether the previous release is warm as observed now (its containers run it on every host and,
   * webhook mode, the ALB reports them healthy: a rollback to it is instant) or cold, and why (a
   * rollback restarts it and gates it first). The warm window above is the record's, not this.
   */
  previousWarmth: { warm: boolean; why: string[]; unchecked: string[] } | null;
  /** The release that last passed its bake (promote copies only that). */
  verifiedRelease: string | null;
  consistent: boolean;
  problems: string[];
  /** Hosts that could not be reached: reported, never guessed about (status exits 3 while any is listed). */
  unreachable: { instanceId: string; address: string; reason: string }[];
  /** Listener tags bluegreen did not write (or that disagree with the hosts): untrusted, never run. */
  tagWarnings: string[];
  releaseInProgress: InFlight | null;
  /**
   * The run in flight is alive: a live, unexpired lease holds the lock (its own, or a run that
   * repairs it first). Not drift: it ends by itself, and a release or rollback now would wait for
   * the lock (exit 75), so status exits 75 too.
   */
  runInProgress: boolean;
  /**
   * The live colour does not serve: "down" (a container not running, or its targets unhealthy), or
   * "deliveries" (Telegram's recent delivery errors with more updates pending than
   * gates.maxPendingUpdates: what the bake rolls back on). null: it serves, or nothing is live.
   */
  liveUnhealthy: "down" | "deliveries" | null;
  lock: Lease | null;
  /** The listener's default forward action as it is: every target group with its weight (> 0 receives traffic). */
  listener: { forwardsTo: { targetGroup: string; targetGroupArn: string; weight: number }[] };
  /** What served before bluegreen: live until the first release, then previous while it still runs. */
  unmanaged: UnmanagedRelease | null;
  /** A canary/linear shift in flight: its step (from the listener tags) and the listener's weights now, in percent. */
  shift: { step: number; of: number; colour: Colour; percent: number; weights: Record<Colour, number> } | null;
}

export async function status(ctx: Ctx): Promise<StatusReport> {
  // One round: AWS, Telegram and every host at once (the hosts' listing for adoption needs nothing
  // from the world). Only a listener forwarding to a group that is neither colour's costs another call.
  const [world, lockRead, listing] = await Promise.all([
    observe(ctx),
    readLease(ctx).catch((e: unknown) => ({ unreadable: e instanceof Error ? e.message : String(e) })),
    listHostContainers(ctx),
  ]);
  const lock = lockRead !== null && "unreadable" in lockRead ? null : lockRead;
  const adoption = await adoptionFrom(ctx, world, listing);
  const unmanagedLive = adoption.unmanaged?.role === "live";
  const polling = ctx.settings.mode === "polling";
  const lc = polling ? pollingLive(world) : liveColours(ctx, world);
  const problems: string[] = polling ? pollingProblems(world) : [];
  const shift = polling ? null : shiftNow(ctx, world);
  // An environment nothing was ever released to has no live colour to be inconsistent about.
  const neverReleased = world.tags.live === null && world.tags.inFlight === null;
  if (neverReleased || polling) {
    // nothing to compare
  } else if (lc.byListener === null)
    problems.push(
      shift !== null
        ? `the listener splits traffic: step ${shift.step}/${shift.of} of a shift to ${shift.colour} (${describeWeights(shift.weights[shift.colour], shift.colour)})`
        : "the listener does not send all traffic to exactly one colour",
    );
  if (neverReleased || polling) {
    // nothing to compare
  } else if (lc.byWebhook === null)
    problems.push(world.webhook.url === "" ? "no webhook is set" : `the webhook points at ${world.webhook.url}, which is neither colour's URL`);
  else if (lc.byWebhook !== "shared" && lc.byWebhook !== lc.byListener)
    problems.push(`the listener sends traffic to ${lc.byListener ?? "neither colour"} but the webhook points at ${lc.byWebhook}`);
  for (const u of ctx.unreachable ?? []) problems.push(`${u.instanceId} (${u.address}) is unreachable, so its containers are unknown: ${u.reason}`);
  const f = world.tags.inFlight;
  if (f !== null) {
    // The record stays at "cutover" through the bake: where the switches are says how far it got.
    const moved =
      (f.phase === "cutover" || f.phase === "baking") && lc.byListener === f.colour && (lc.byWebhook === "shared" || lc.byWebhook === f.colour)
        ? ` (both switches are on ${f.colour}: its cutover was done)`
        : "";
    problems.push(inFlightProblem(f, moved, lockRead, ctx.clock.now()));
  }
  const runInProgress = f !== null && lock !== null && leaseStaleWhy(lock, ctx.clock.now()) === null;
  // Both switches agree, on the colour the record calls previous (a rollback that did not finish
  // without its mark, or switches moved by hand): the record is wrong about what serves.
  const agree = lc.byWebhook === "shared" || lc.byWebhook === lc.byListener;
  const switched = polling || !agree || world.tags.inFlight !== null ? null : switchedRecord(world.tags, lc.byListener);
  if (switched !== null) problems.push(describeSwitchedRecord(switched));
  // Before the first release the listener may forward to a colour's group that runs the unmanaged bot: not ours to judge.
  // Never released (and not polling): whatever the listener forwards to is not ours to judge either (status exits 0 and says so).
  const live = polling ? lc.live : unmanagedLive || neverReleased ? null : lc.byListener;
  let liveUnhealthy: StatusReport["liveUnhealthy"] = null;
  if (live !== null) {
    const before = problems.length;
    for (const h of world.hosts) {
      const v = containerVerdict(h.containers[live]);
      if (v.kind !== "ok") problems.push(`live colour ${live} on ${h.instanceId}: ${v.reason}`);
    }
    const tg = polling
      ? null
      : targetHealthVerdict(
          world.health[live],
          ctx.hosts.map((h) => ({ id: h.instanceId, port: ctx.settings.hostPorts[live] })),
        );
    if (tg !== null && tg.kind !== "ok") problems.push(`live colour ${live}: ${tg.reason}`);
    if (problems.length > before) liveUnhealthy = "down";
    else {
      const failing = !polling && (lc.byWebhook === "shared" || lc.byWebhook === live) ? failingDeliveries(ctx, world, live) : null;
      if (failing !== null) {
        problems.push(`live colour ${live}: ${failing}`);
        liveUnhealthy = "deliveries";
      }
    }
  }
  const colours = Object.fromEntries(
    COLOURS.map((c) => [
      c,
      {
        targetGroup: ctx.targetGroups[c].name,
        hostPort: ctx.settings.hostPorts[c],
        release: world.hosts.map((h) => h.containers[c]?.releaseId).find((r) => r != null) ?? null,
        targets: world.health[c],
        containers: world.hosts.flatMap((h) => {
          const k = h.containers[c];
          return k === undefined
            ? []
            : [
                {
                  instanceId: h.instanceId,
                  name: k.name,
                  mode: k.mode,
                  release: k.releaseId,
                  image: k.image,
                  running: k.running,
                  status: k.status,
                  restarts: k.restartCount,
                  startedAt: k.startedAt,
                  oomKilled: k.oomKilled,
                },
              ];
        }),
      },
    ]),
  ) as Record<Colour, ColourReport>;
  const t = world.tags;
  const tagWarnings = untrustedTags(ctx, world);
  const byHook = liveByWebhook(world.webhook.url, ctx.settings.webhook.urls);
  const source = switchSource(world.hosts, ctx.settings.mode, t.live, byHook === "shared" ? null : byHook);
  const sw =
    source === null || source === "ambiguous" ? null : { from: source.mode, to: ctx.settings.mode, colour: source.colour, releaseId: source.releaseId };
  return {
    environment: ctx.settings.environment,
    neverReleased,
    mode: ctx.settings.mode,
    runningMode: sw !== null ? sw.from : lc.live !== null ? (colourMode(world.hosts, lc.live) ?? ctx.settings.mode) : null,
    pendingSwitch: sw,
    live: lc.live,
    liveByListener: lc.byListener,
    webhook: {
      url: world.webhook.url,
      colour: lc.byWebhook,
      pendingUpdateCount: world.webhook.pendingUpdateCount,
      lastErrorDate: world.webhook.lastErrorDate ?? null,
      lastErrorMessage: world.webhook.lastErrorMessage ?? null,
    },
    colours,
    liveRelease: t.live !== null ? { releaseId: t.live.releaseId, image: t.live.image, colour: t.live.colour } : null,
    previousRelease: t.previous !== null ? { releaseId: t.previous.releaseId, image: t.previous.image, colour: t.previous.colour } : null,
    previousWarmUntil: t.previousWarmUntil,
    previousWarmth: t.previous !== null ? previousWarmth(ctx, world, t.previous) : null,
    verifiedRelease: t.verified,
    consistent: problems.length === 0,
    problems,
    unreachable: ctx.unreachable ?? [],
    tagWarnings,
    releaseInProgress: t.inFlight,
    runInProgress,
    liveUnhealthy,
    lock,
    listener: {
      forwardsTo: world.listener.forward.map((f) => {
        const colour = COLOURS.find((c) => ctx.targetGroups[c].arn === f.targetGroupArn);
        return {
          targetGroup: colour !== undefined ? ctx.targetGroups[colour].name : groupName(f.targetGroupArn),
          targetGroupArn: f.targetGroupArn,
          weight: f.weight,
        };
      }),
    },
    unmanaged: adoption.unmanaged !== null && (adoption.unmanaged.role === "live" || adoption.unmanaged.containers.length > 0) ? adoption.unmanaged : null,
    shift,
  };
}

/**
 * How long a Telegram delivery error counts as current: Telegram retries a failed update with
 * growing pauses and sets last_error_date at every failure, so a bot failing now shows one within
 * minutes; an older one next to a backlog is not evidence that the live release fails.
 */
const RECENT_DELIVERY_ERROR_MS = 10 * 60_000;

/**
 * Telegram's side of what serves now, stricter than the bake's (webhookVerdict fails on any error
 * since its cutover): status has no cutover to count from and a single past error is not a failing
 * bot, so it takes a recent error after the live containers started together with a backlog above
 * gates.maxPendingUpdates. null: Telegram delivers (or its signal is too weak to say).
 */
function failingDeliveries(ctx: Ctx, world: World, live: Colour): string | null {
  const w = world.webhook;
  const max = ctx.settings.gates.maxPendingUpdates;
  if (w.lastErrorDate === undefined || w.pendingUpdateCount <= max) return null;
  const at = w.lastErrorDate * 1000;
  if (ctx.clock.now() - at > RECENT_DELIVERY_ERROR_MS) return null;
  // As the bake counts only errors since its own cutover: an error from before the live colour's
  // containers started (a failed earlier release on the same URL) says nothing about them.
  if (at < liveSince(world, live)) return null;
  return `Telegram fails to deliver updates to it: last error ${new Date(at).toISOString()} ${w.lastErrorMessage ?? "(no message)"}, ${w.pendingUpdateCount} updates pending (gates.maxPendingUpdates ${max}); a bake would roll this back`;
}

/** When the live colour's earliest container started (ms; 0 when no start time was read): an error after it may be theirs. */
function liveSince(world: World, live: Colour): number {
  const starts = world.hosts.map((h) => Date.parse(h.containers[live]?.startedAt ?? "")).filter((t) => Number.isFinite(t) && t > 0);
  return starts.length === 0 ? 0 : Math.min(...starts);
}

/**
 * An in-flight record, said as what it is: a run in progress under its own live lease, one being
 * repaired by the run holding the lock now, or an interrupted one (and why: its lease expired,
 * its process is gone, or nothing holds the lock).
 */
function inFlightProblem(f: InFlight, moved: string, lock: Lease | null | { unreadable: string }, now: number): string {
  const what = `a ${f.kind} (${f.releaseId})`;
  if (lock !== null && "unreadable" in lock)
    return `${what} is in flight or was interrupted in phase ${f.phase}${moved}; the lock could not be read (${lock.unreadable})`;
  if (lock === null) return `${what} was interrupted in phase ${f.phase}${moved}: no run holds the lock`;
  const stale = leaseStaleWhy(lock, now);
  if (stale !== null) return `${what} was interrupted in phase ${f.phase}${moved}: its run is gone (${stale})`;
  if (lock.releaseId === f.releaseId) return `${what} is in progress, in phase ${f.phase}${moved}: run by ${describeLease(lock)}`;
  return `${what} was interrupted in phase ${f.phase}${moved}; the ${lock.command} holding the lock now (${describeLease(lock)}) repairs it first`;
}

/** The previous release's colour as observed (see StatusReport.previousWarmth): the hosts reached, and the ALB in webhook mode. */
function previousWarmth(ctx: Ctx, world: World, prev: { colour: Colour; releaseId: string }): NonNullable<StatusReport["previousWarmth"]> {
  const targets =
    ctx.settings.mode === "polling"
      ? undefined
      : { views: world.health[prev.colour], port: ctx.settings.hostPorts[prev.colour], group: ctx.targetGroups[prev.colour].name };
  const why = world.hosts.length === 0 ? ["no host could be read"] : coldBecause(world.hosts, prev.colour, prev.releaseId, targets);
  return { warm: why.length === 0, why, unchecked: (ctx.unreachable ?? []).map((u) => u.instanceId) };
}

/** The step recorded by an in-flight canary/linear release, with the weights the listener has now. */
function shiftNow(ctx: Ctx, world: World): StatusReport["shift"] {
  const f = world.tags.inFlight;
  if (f?.shift === undefined) return null;
  const w = readListener(world.listener.forward, colourArns(ctx)).weights;
  const share = shareOf(w, f.colour) ?? 0;
  const weights = { [f.colour]: share, [otherColour(f.colour)]: 100 - share } as Record<Colour, number>;
  return { step: f.shift.step, of: f.shift.of, colour: f.colour, percent: f.shift.percent, weights };
}

/**
 * What in the listener's tags bluegreen did not write: unknown bluegreen:* keys, image values that
 * are not container.image by digest, and digests that disagree with the labels of that release's
 * containers. Anyone allowed AddTags on the listener can write them; status shows them, nothing runs them.
 */
export function untrustedTags(ctx: Ctx, world: World): string[] {
  const warnings: string[] = [];
  const who = "anyone allowed elasticloadbalancing:AddTags on the listener could have written it";
  for (const key of Object.keys(world.listener.tags)) {
    if (key.startsWith("bluegreen:") && !KNOWN_KEYS.has(key)) warnings.push(`tag ${key} was not written by bluegreen (${who})`);
  }
  const refs: [string, { releaseId: string; image: string } | null][] = [
    [TAG.liveImage, world.tags.live],
    [TAG.previousImage, world.tags.previous],
    [TAG.flightImage, world.tags.inFlight],
  ];
  for (const [key, ref] of refs) {
    if (ref === null) continue;
    const digest = digestIn(ref.image);
    if (digest === null || ref.image !== `${ctx.settings.container.repository}@${digest}`) {
      warnings.push(
        `tag ${key}=${JSON.stringify(ref.image.slice(0, 200))} is not ${ctx.settings.container.repository}@sha256:<digest>, so bluegreen did not write it (${who}); only its digest would ever be used`,
      );
      continue;
    }
    const labels = new Set(
      world.hosts.flatMap((h) => Object.values(h.containers)).flatMap((c) => (c !== undefined && c.releaseId === ref.releaseId ? [digestIn(c.image)] : [])),
    );
    labels.delete(null);
    if (labels.size > 0 && !labels.has(digest))
      warnings.push(`tag ${key} says ${ref.releaseId} is ${digest}, but its containers are labelled ${[...labels].join(", ")} (${who})`);
  }
  return warnings;
}

/** Polling: the live colour is the recorded release's (the running poller); no listener, no webhook colour. */
function pollingLive(world: World): { live: Colour | null; byListener: Colour | null; byWebhook: Colour | "shared" | null } {
  return { live: world.tags.live?.colour ?? null, byListener: null, byWebhook: null };
}

/** What breaks a poller: a webhook set (every getUpdates answers 409), or two pollers taking turns. */
function pollingProblems(world: World): string[] {
  const problems: string[] = [];
  if (world.webhook.url !== "") problems.push(`a webhook is set (${world.webhook.url}): getUpdates answers 409 while it is, so the poller receives nothing`);
  const live = world.tags.live?.colour;
  if (live !== undefined && world.tags.inFlight === null) {
    const idle = live === "blue" ? "green" : "blue";
    const extra = world.hosts.filter((h) => h.containers[idle]?.running === true).map((h) => h.instanceId);
    if (extra.length > 0) problems.push(`the ${idle} poller also runs on ${extra.join(", ")}: two pollers take turns with getUpdates`);
  }
  return problems;
}
