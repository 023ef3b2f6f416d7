// What a warm rollback re-reads after its switches moved (#17). It moved them itself (moveBack),
// moments after its own whole observe, holding the deploy lock: what it wrote is known from the
// write, what it did not touch is what that observe saw, and only what the bots move on their own
// is read again. Like refreshAfter (observe.ts) for a release's steps: a pure function, tested row
// by row (test/unit/rollback-refresh.test.ts).
import type { Refresh } from "./observe.js";

/** The switches moveBack moved (one already on the colour is left alone). */
export interface Moved {
  listener: boolean;
  webhook: boolean;
}

export function refreshAfterMoveBack(moved: Moved): Refresh {
  return {
    // Our ModifyListener is read back, as after a release's cutover; the tags come with that
    // reading from the adapter's copy of our own writes (no call). Unmoved: as the observe saw it.
    listener: moved.listener,
    tags: moved.listener,
    // No run writes the path rules: the run's first observe read them.
    rules: false,
    // What setWebhook wrote (ctx.lastWebhook), or the observe's reading when it was already there.
    // Not read here: it is read back last, after every stop, before the outcome is reported.
    webhook: false,
    // The containers are the bots' to move (a crash, a restart): read again before the bookkeeping.
    hosts: true,
    // Moving the switches registers nothing and deregisters nothing; the readiness check before the
    // move just saw every target of the colour healthy in the run's own observe.
    health: [],
  };
}
