// SIGINT (Ctrl-C) and SIGTERM (a cancelled CI job) while release, promote or rollback runs. The
// first signal is a request: the step under way finishes (a cutover is never half-done), then the
// run winds down like a failure: before traffic moved it stops the new colour and clears its
// in-flight mark (exit 130/143); after, it rolls back (exit 2, reason "cancelled"). The lock is
// released and the notification sent on the way out. Hooks (in their own process groups, out of
// the terminal's reach) are sent SIGTERM at once. A second signal exits at once: hooks are
// killed, and the next run repairs what is left (a dead run's lock and in-flight tags).
import { CancelledError, type CancelSignal } from "../errors.js";
import { killRunningHooks } from "../hooks/index.js";
import { SIGNAL_EXIT } from "../orchestrator/cancel.js";

let current: AbortSignal | undefined;

/** The cancellation of the command running now, for the Ctx it opens (env.ts). */
export function cancelSignal(): AbortSignal | undefined {
  return current;
}

export interface SignalHandling {
  signal: AbortSignal;
  /** Puts the default behaviour back (the command is over). */
  dispose(): void;
}

export function handleSignals(opts: {
  /** Told once, on the first signal (shown as a step line, or a JSON step event). */
  onFirst: (signal: CancelSignal) => void;
  /** The second signal's last words, to stderr. */
  err: NodeJS.WritableStream;
  exit?: (code: number) => void;
}): SignalHandling {
  const controller = new AbortController();
  const exit = opts.exit ?? ((code: number) => process.exit(code));
  const on = (signal: CancelSignal): void => {
    if (!controller.signal.aborted) {
      controller.abort(new CancelledError(signal));
      opts.onFirst(signal);
      return;
    }
    killRunningHooks("SIGKILL");
    opts.err.write(`${signal} again: exiting at once; the next release or rollback repairs what this run leaves (its lock and in-flight tags)\n`);
    exit(SIGNAL_EXIT[signal]);
  };
  const onInt = (): void => on("SIGINT");
  const onTerm = (): void => on("SIGTERM");
  process.on("SIGINT", onInt);
  process.on("SIGTERM", onTerm);
  current = controller.signal;
  return {
    signal: controller.signal,
    dispose() {
      process.off("SIGINT", onInt);
      process.off("SIGTERM", onTerm);
      if (current === controller.signal) current = undefined;
    },
  };
}
