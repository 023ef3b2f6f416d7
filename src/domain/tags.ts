// The release state lives in the listener's tags, so any machine can pick up where a dead run
// stopped. Pure encode/decode; tag values stay under ELBv2's 256-character limit.
import type { Colour, InFlight, ReleaseRef, ReleaseTags, UnmanagedRef } from "./types.js";

const P = "bluegreen:";
export const TAG = {
  liveColour: `${P}live-colour`,
  liveRelease: `${P}live-release`,
  liveImage: `${P}live-image`,
  previousColour: `${P}previous-colour`,
  previousRelease: `${P}previous-release`,
  previousImage: `${P}previous-image`,
  verified: `${P}verified`,
  previousWarmUntil: `${P}previous-warm-until`,
  flightKind: `${P}inflight-kind`,
  flightRelease: `${P}inflight-release`,
  flightColour: `${P}inflight-colour`,
  flightImage: `${P}inflight-image`,
  flightFrom: `${P}inflight-from`,
  flightStarted: `${P}inflight-started`,
  flightPhase: `${P}inflight-phase`,
  /** The environment whose state these tags are: two environments on one listener would overwrite each other. */
  environment: `${P}environment`,
  /** A canary/linear shift in progress: "<step>/<of>:<percent>" (the new colour's share). */
  flightShift: `${P}inflight-shift`,
  /** The release that served before bluegreen's first (adopted, "unmanaged"): its target group and webhook URL. */
  unmanagedGroup: `${P}unmanaged-target-group`,
  unmanagedWebhook: `${P}unmanaged-webhook`,
} as const;

/** Every key bluegreen writes; any other bluegreen:* key on the listener was written by someone else. */
export const KNOWN_KEYS: ReadonlySet<string> = new Set(Object.values(TAG));

export const UNMANAGED_KEYS = [TAG.unmanagedGroup, TAG.unmanagedWebhook];

// ELBv2 tag values allow letters, digits, spaces and _ . : / = + - @ only: any other URL is stored as base64url.
const TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
const B64 = "base64url:";

export function encodeTagValue(v: string): string {
  return TAG_VALUE.test(v) && !v.startsWith(B64) ? v : `${B64}${Buffer.from(v, "utf8").toString("base64url")}`;
}

export function decodeTagValue(v: string): string {
  return v.startsWith(B64) ? Buffer.from(v.slice(B64.length), "base64url").toString("utf8") : v;
}

export function encodeUnmanaged(u: UnmanagedRef): Record<string, string> {
  return { [TAG.unmanagedGroup]: u.targetGroupArn, [TAG.unmanagedWebhook]: u.webhookUrl === "" ? "none" : encodeTagValue(u.webhookUrl) };
}

export const IN_FLIGHT_KEYS = [
  TAG.flightKind,
  TAG.flightRelease,
  TAG.flightColour,
  TAG.flightImage,
  TAG.flightFrom,
  TAG.flightStarted,
  TAG.flightPhase,
  TAG.flightShift,
];

const colour = (v: string | undefined): Colour | null => (v === "blue" || v === "green" ? v : null);

function ref(tags: Record<string, string>, c: string, r: string, i: string): ReleaseRef | null {
  const col = colour(tags[c]);
  const releaseId = tags[r];
  const image = tags[i];
  return col !== null && releaseId !== undefined && image !== undefined ? { colour: col, releaseId, image } : null;
}

export function decodeTags(tags: Record<string, string>): ReleaseTags {
  const kind = tags[TAG.flightKind];
  const fc = colour(tags[TAG.flightColour]);
  const phase = tags[TAG.flightPhase];
  let inFlight: InFlight | null = null;
  // "restarting" is a rollback's phase only (its restart where both switches are): on a release it
  // is no record bluegreen writes, read like any other unknown phase.
  if (
    (kind === "release" || kind === "rollback") &&
    fc !== null &&
    (phase === "staging" || phase === "cutover" || phase === "baking" || (phase === "restarting" && kind === "rollback"))
  ) {
    inFlight = {
      kind,
      releaseId: tags[TAG.flightRelease] ?? "",
      colour: fc,
      image: tags[TAG.flightImage] ?? "",
      from: colour(tags[TAG.flightFrom]),
      startedAt: tags[TAG.flightStarted] ?? "",
      phase,
    };
    const shift = /^(\d+)\/(\d+):(\d+)$/.exec(tags[TAG.flightShift] ?? "");
    if (shift !== null) inFlight.shift = { step: Number(shift[1]), of: Number(shift[2]), percent: Number(shift[3]) };
  }
  const group = tags[TAG.unmanagedGroup];
  const hook = tags[TAG.unmanagedWebhook];
  const unmanaged =
    group !== undefined && group !== "" && hook !== undefined ? { targetGroupArn: group, webhookUrl: hook === "none" ? "" : decodeTagValue(hook) } : null;
  return {
    unmanaged,
    live: ref(tags, TAG.liveColour, TAG.liveRelease, TAG.liveImage),
    previous: ref(tags, TAG.previousColour, TAG.previousRelease, TAG.previousImage),
    verified: tags[TAG.verified] ?? null,
    inFlight,
    previousWarmUntil: tags[TAG.previousWarmUntil] ?? null,
  };
}

export function encodeInFlight(f: InFlight): Record<string, string> {
  return {
    [TAG.flightKind]: f.kind,
    [TAG.flightRelease]: f.releaseId,
    [TAG.flightColour]: f.colour,
    [TAG.flightImage]: f.image,
    [TAG.flightFrom]: f.from ?? "none",
    [TAG.flightStarted]: f.startedAt,
    [TAG.flightPhase]: f.phase,
  };
}

export function encodeRef(prefix: "live" | "previous", r: ReleaseRef): Record<string, string> {
  return prefix === "live"
    ? { [TAG.liveColour]: r.colour, [TAG.liveRelease]: r.releaseId, [TAG.liveImage]: r.image }
    : { [TAG.previousColour]: r.colour, [TAG.previousRelease]: r.releaseId, [TAG.previousImage]: r.image };
}

/** The tags after a goal went live: what to set and which keys to remove. */
export function finalTags(
  before: ReleaseTags,
  goal: { kind: "release" | "rollback"; colour: Colour; releaseId: string; image: string },
  opts: { baked: boolean; warmUntil: string | null },
): { set: Record<string, string>; remove: string[] } {
  const live: ReleaseRef = { colour: goal.colour, releaseId: goal.releaseId, image: goal.image };
  const set: Record<string, string> = { ...encodeRef("live", live) };
  const remove: string[] = [...IN_FLIGHT_KEYS];
  const wasLive = before.live;
  if (wasLive !== null && wasLive.releaseId !== goal.releaseId) {
    Object.assign(set, encodeRef("previous", wasLive));
    if (opts.warmUntil !== null) set[TAG.previousWarmUntil] = opts.warmUntil;
    // The adopted release is two releases back now: nothing returns to it any more.
    if (before.unmanaged !== null) remove.push(...UNMANAGED_KEYS);
  }
  // Only a release that baked ever became live, so one put back by a rollback was verified too.
  if (opts.baked || goal.kind === "rollback") set[TAG.verified] = goal.releaseId;
  else remove.push(TAG.verified);
  return { set, remove };
}

export function encodeShift(s: { step: number; of: number; percent: number }): Record<string, string> {
  return { [TAG.flightShift]: `${s.step}/${s.of}:${s.percent}` };
}

/** ELBv2 allows 50 tags per listener (AddTags fails with TooManyTags past that). */
export const MAX_LISTENER_TAGS = 50;

export interface TagHeadroom {
  /** Tags on the listener now (bluegreen's and everyone else's). */
  existing: number;
  /** The most the listener carries at once during the run. */
  peak: number;
  /** Tags the run adds at its peak, over what is there now. */
  adds: number;
}

/**
 * The tags a release puts on the listener, at their peak. The mark writes the in-flight record (and
 * the adopted release, and the environment) over what is there; a canary/linear run adds its shift
 * key; the finalize removes the in-flight keys before it adds the final ones (live, previous, warm,
 * verified). Keys already present count once. Pure: preflight refuses before anything moves when
 * `peak` exceeds MAX_LISTENER_TAGS.
 */
export function tagHeadroom(
  existingKeys: readonly string[],
  before: ReleaseTags,
  run: { colour: Colour; releaseId: string; adopting: boolean; shifting: boolean; hasPrevious: boolean },
): TagHeadroom {
  const marked = new Set(existingKeys);
  for (const k of IN_FLIGHT_KEYS) if (k !== TAG.flightShift || run.shifting) marked.add(k);
  if (run.adopting) for (const k of UNMANAGED_KEYS) marked.add(k);
  marked.add(TAG.environment);
  const final = finalTags(
    before,
    { kind: "release", colour: run.colour, releaseId: run.releaseId, image: "" },
    {
      baked: true,
      warmUntil: run.hasPrevious ? "warm" : null,
    },
  );
  const finalized = new Set([...marked].filter((k) => !final.remove.includes(k)));
  for (const k of [...Object.keys(final.set), TAG.environment]) finalized.add(k);
  const peak = Math.max(marked.size, finalized.size);
  return { existing: existingKeys.length, peak, adds: peak - existingKeys.length };
}
