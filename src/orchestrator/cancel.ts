// Cancellation (SIGINT/SIGTERM, wired in src/cli/signals.ts): the run checks for it only between
// steps and in its waits, so a step in progress (a cutover above all) is never left half-done.
import { CancelledError } from "../errors.js";
import type { Ctx } from "./context.js";

/** The exit code of a run cancelled before any traffic moved (128 + the signal's number). */
export const SIGNAL_EXIT = { SIGINT: 130, SIGTERM: 143 } as const;

/** The cancellation asked for, if any. */
export function cancelledBy(ctx: Pick<Ctx, "cancel">): CancelledError | null {
  const s = ctx.cancel;
  return s?.aborted === true && s.reason instanceof CancelledError ? s.reason : null;
}

/** Between two steps: stop here if a signal arrived. */
export function throwIfCancelled(ctx: Pick<Ctx, "cancel">): void {
  const c = cancelledBy(ctx);
  if (c !== null) throw c;
}

/**
 * The signal has been heard: what follows (stopping the new colour, a rollback) runs whole, so a
 * cancelled run never leaves traffic half-moved. A second signal still exits at once (src/cli/signals.ts).
 */
export function windDown(ctx: Pick<Ctx, "cancel">): void {
  ctx.cancel = undefined;
}
