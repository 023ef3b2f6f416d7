// Pure reading of the two traffic switches: which target groups the listener sends traffic to, and
// which colour the webhook points at. Every command reads the listener through these functions, so
// plan, release, rollback, promote, status and decide cannot disagree about what is live.
import type { ForwardTarget, ListenerRuleView } from "../ports.js";
import { COLOURS, type Colour, otherColour, type TrafficFacts, type Urls } from "./types.js";

/** What the listener's default forward action does, whatever its form (plain TargetGroupArn, one group, weights, a legacy group). */
export interface ListenerReading {
  /** Target groups that receive traffic (weight > 0), in the action's order. */
  receiving: string[];
  /** Weights per colour (undefined = the colour's group is not in the action). */
  weights: Partial<Record<Colour, number>>;
  /** Groups that receive traffic and are neither colour (e.g. a legacy group from before bluegreen). */
  foreign: string[];
  /** Colours a path rule sends the webhook's requests to (weight > 0), whatever the default action does. */
  byRule: Partial<Record<Colour, boolean>>;
}

/** ALB path-pattern matching: case-sensitive, `*` any run of characters, `?` exactly one. */
export function pathMatches(pattern: string, path: string): boolean {
  const re = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${re}$`).test(path);
}

/**
 * Where the rules send a request for `path`, in priority order: every rule that may match (one with
 * conditions we cannot evaluate, such as a host header, counts), up to the first that surely does.
 */
export function ruleForward(rules: readonly ListenerRuleView[], path: string): ForwardTarget[] {
  const out: ForwardTarget[] = [];
  for (const r of [...rules].sort((a, b) => a.priority - b.priority)) {
    if (r.pathPatterns.length > 0 && !r.pathPatterns.some((p) => pathMatches(p, path))) continue;
    out.push(...r.forward);
    if (!r.otherConditions) break;
  }
  return out;
}

function pathOf(url: string): string | null {
  try {
    return new URL(url).pathname;
  } catch {
    return null;
  }
}

/**
 * The one reading of the listener. A plain TargetGroupArn arrives as one group at weight 1 (see
 * adapters/aws-elbv2.ts forwardOf); a group with weight 0 gets no traffic. Path rules are read too:
 * Telegram only ever requests the webhook's URL, so the groups the rules send that path to receive
 * traffic (a rule for another path, e.g. the other colour's URL, receives none). The default
 * action's groups always count, so nothing it forwards to is ever taken for idle.
 */
export function readListener(
  forward: readonly ForwardTarget[],
  arns: Record<Colour, string>,
  via: { rules?: readonly ListenerRuleView[] | undefined; webhookUrl?: string | undefined } = {},
): ListenerReading {
  const weights: Partial<Record<Colour, number>> = {};
  const receiving: string[] = [];
  const foreign: string[] = [];
  const byRule: Partial<Record<Colour, boolean>> = {};
  const receive = (f: ForwardTarget, colour: Colour | undefined) => {
    if (f.weight <= 0 || receiving.includes(f.targetGroupArn)) return;
    receiving.push(f.targetGroupArn);
    if (colour === undefined) foreign.push(f.targetGroupArn);
  };
  for (const f of forward) {
    const colour = COLOURS.find((c) => arns[c] === f.targetGroupArn);
    if (colour !== undefined) weights[colour] = (weights[colour] ?? 0) + f.weight;
    receive(f, colour);
  }
  const path = via.webhookUrl ? pathOf(via.webhookUrl) : null;
  if (path !== null && via.rules !== undefined) {
    for (const f of ruleForward(via.rules, path)) {
      const colour = COLOURS.find((c) => arns[c] === f.targetGroupArn);
      if (colour !== undefined && f.weight > 0) byRule[colour] = true;
      receive(f, colour);
    }
  }
  return { receiving, weights, foreign, byRule };
}

/** The listener sends some traffic to `colour`'s group (weight > 0). */
export function listenerSendsTo(t: TrafficFacts, colour: Colour): boolean {
  return (t.weights[colour] ?? 0) > 0;
}

/**
 * The colour's containers serve traffic: the listener sends to its group (or the webhook points at
 * its own URL, which path rules route to its group) and the group has a registered target. An empty
 * group serves nothing (the ALB answers 503 itself), so staging it replaces nothing that serves.
 * Nothing may stop, remove or replace a container, or deregister a target, of a colour that serves.
 */
export function servesTraffic(t: TrafficFacts, urls: Urls, colour: Colour): boolean {
  if (!t.hasTargets[colour]) return false;
  const byWebhook = urls.blue !== urls.green && t.webhookUrl !== "" && t.webhookUrl === urls[colour];
  return listenerSendsTo(t, colour) || byWebhook || t.byRule?.[colour] === true;
}

/** The colour the listener's default action sends all traffic to, or null when it is not exactly one of ours. */
export function liveByListener(t: TrafficFacts): Colour | null {
  if (t.foreignTargets) return null;
  const blue = t.weights.blue ?? 0;
  const green = t.weights.green ?? 0;
  if (blue > 0 && green === 0) return "blue";
  if (green > 0 && blue === 0) return "green";
  return null;
}

/**
 * The colour the webhook points at. With one URL for both colours (no {colour} in it) the webhook
 * follows the listener, so it is "shared" as long as it is set at all.
 */
export function liveByWebhook(webhookUrl: string, urls: Urls): Colour | "shared" | null {
  if (webhookUrl === "") return null;
  if (urls.blue === urls.green) return webhookUrl === urls.blue ? "shared" : null;
  if (webhookUrl === urls.blue) return "blue";
  if (webhookUrl === urls.green) return "green";
  return null;
}

/** The exact forward action that sends all traffic to `colour` and keeps the other one referenced (weight 0) so the ALB keeps health-checking it. */
export function forwardAllTo(colour: Colour, arns: Record<Colour, string>): { targetGroupArn: string; weight: number }[] {
  const other: Colour = colour === "blue" ? "green" : "blue";
  return [
    { targetGroupArn: arns[colour], weight: 1 },
    { targetGroupArn: arns[other], weight: 0 },
  ];
}

/** All traffic goes to `colour`: a plain single-group forward counts as much as weights 1/0. */
export function isForwardAllTo(t: TrafficFacts, colour: Colour): boolean {
  return liveByListener(t) === colour;
}

/**
 * The listener is in the exact form our cutover writes (forwardAllTo: `colour` > 0, the other
 * colour referenced at 0). decide reads "the cutover to this colour happened" from it; a plain
 * single-group forward (a greenfield default, or production before bluegreen) is not a cutover of
 * ours, so the gates still run before anything moves.
 */
export function isCutOverTo(t: TrafficFacts, colour: Colour): boolean {
  return isForwardAllTo(t, colour) && t.weights[otherColour(colour)] === 0;
}

export interface ColourChoice {
  colour: Colour | null;
  /** The colour recorded live and still on the listener (the automatic rollback's target), or null. */
  from: Colour | null;
  /** Why no colour can be used (colour === null). */
  reason?: string;
}

/**
 * The colour a release stages on. plan and release both call this, so they always agree.
 * `recordedLive`: the colour bluegreen's tags record as live (null: nothing released yet).
 * `blockedPorts`: colours whose host port is held by a container that serves traffic.
 */
export function chooseReleaseColour(t: TrafficFacts, urls: Urls, recordedLive: Colour | null, blockedPorts: readonly Colour[] = []): ColourChoice {
  const from = recordedLive !== null ? liveByListener(t) : null;
  const candidates: Colour[] = from !== null ? [otherColour(from)] : ["blue", "green"];
  const usable = candidates.filter((c) => !servesTraffic(t, urls, c) && !blockedPorts.includes(c));
  const colour = usable[0] ?? null;
  if (colour !== null) return { colour, from };
  const why = candidates
    .map((c) => (servesTraffic(t, urls, c) ? `${c} serves traffic` : `${c}'s host port is held by a container that serves traffic`))
    .join(" and ");
  return { colour: null, from, reason: `no colour is free to stage on: ${why}` };
}
