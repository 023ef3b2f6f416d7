// Both switches on the previous release's colour while the record says the other one is live: a
// rollback that moved them and did not finish (killed before its mark, or its restarted containers
// failed their gates), or switches moved by hand. There is nothing older to return to, so `rollback`
// refuses there and `status` reports it; both name the same way out. Pure.
import type { Colour, ReleaseRef, ReleaseTags } from "../domain/types.js";

export interface SwitchedRecord {
  /** The colour both switches serve: the previous release's by the record. */
  serving: Colour;
  previous: ReleaseRef;
  /** The release the record calls live, on the other colour. */
  recorded: ReleaseRef;
}

/** `byListener`: the colour the listener sends all traffic to; the caller has checked the webhook agrees. */
export function switchedRecord(tags: Pick<ReleaseTags, "live" | "previous">, byListener: Colour | null): SwitchedRecord | null {
  const { live, previous } = tags;
  if (live === null || previous === null || byListener === null) return null;
  return previous.colour === byListener && live.colour !== byListener ? { serving: byListener, previous, recorded: live } : null;
}

export function describeSwitchedRecord(s: SwitchedRecord): string {
  return `the listener and the webhook both serve ${s.serving} (${s.previous.releaseId} by the record), but the recorded live release is ${s.recorded.releaseId} on ${s.recorded.colour}: a rollback that moved the switches and did not finish, or switches moved by hand`;
}

/** The way out, for `rollback`'s refusal and `status`'s "next" alike. */
export function switchedRecordRemedy(environment: string): string {
  return `see \`bluegreen status ${environment}\` and \`bluegreen history ${environment}\`, then release a known-good image: \`bluegreen release ${environment} --image <tag>\``;
}

/**
 * A rollback interrupted once both switches were on its colour (a warm one's move, or its restart's
 * mark): only `rollback` finishes it, by restarting and gating that colour's stopped containers there.
 */
export function finishRestartRemedy(environment: string): string {
  return `\`bluegreen rollback ${environment}\` finishes the interrupted rollback (it restarts and gates the stopped containers)`;
}

/** A restarted container that keeps failing its gates fails every `rollback`: the release past it. */
export function knownGoodPastRestart(environment: string): string {
  return `release a known-good image with \`bluegreen release ${environment} --image <tag> --allow-unhealthy-live\``;
}

/** The way out of a restart's mark, for `release`'s refusal and `status`'s "next" alike. */
export function restartMarkRemedy(environment: string): string {
  return `\`bluegreen rollback ${environment}\` finishes it; if its containers keep failing, ${knownGoodPastRestart(environment)}`;
}
