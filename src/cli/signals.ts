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
import { restartMarkRemedy } from "../orchestrator/switched-record.js";

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
  /** What the second signal leaves, when the run knows better than "the next run repairs it". */
  lastWords?: (signal: CancelSignal) => string | undefined;
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
    const words = opts.lastWords?.(signal) ?? "the next release or rollback repairs what this run leaves (its lock and in-flight tags)";
    opts.err.write(`${signal} again: exiting at once; ${words}\n`);
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

/**
 * What a signal does now, told to the operator, from the step events of the run (`watch` sees every
 * one). A release's automatic rollback under way (its "rollback" step started and has not ended,
 * ok or fail) is not stopped by a first signal: it runs to its end, checking what it put traffic
 * back on; a second one interrupts it, and then `rollback` finishes it. The `rollback` command has
 * no wind-down: it stops between two of its steps and keeps its in-flight record. A restart's mark
 * on the listener (a rollback's phase "restarting", written by this run or resumed by it) makes a
 * plain `release` refuse: a second signal then names the way out that refusal names.
 */
export function signalWords(
  environment: string,
  /** The command that runs: `rollback` stops between its steps, `release` and `promote` wind down. */
  command = "release",
): {
  watch: (e: { step: string; status: string; detail?: Record<string, unknown> }) => void;
  first: (signal: CancelSignal) => string;
  last: (signal: CancelSignal) => string | undefined;
} {
  let rollingBack = false;
  let restartMarked = false;
  return {
    watch: (e) => {
      if (e.step === "rollback" && e.status !== "info") rollingBack = e.status === "start";
      // Written from its start on; an "info" says the listener refused it (the restart goes on unmarked).
      if (e.step === "mark-restarting" && e.status === "start") restartMarked = true;
      if (e.step === "mark-restarting" && e.status === "info") restartMarked = false;
      // A record already on the listener when the run started: `rollback` resumes it (gates, then
      // finalize); a release refuses it at once, or abandons it (--allow-unhealthy-live).
      if (command === "rollback" && e.step === "recover" && e.detail?.kind === "rollback" && e.detail.phase === "restarting") restartMarked = true;
      // A rollback's finalize removes its record (a release's own finalize comes before any mark).
      if (e.step === "finalize" && e.status === "ok") restartMarked = false;
    },
    first: (signal) =>
      rollingBack
        ? `${signal}: the rollback under way runs to its end (it checks what traffic went back to); send it again to exit at once`
        : command === "rollback"
          ? `${signal}: finishing the current step, then stopping the rollback between two of its steps (switches it moved are recorded first), its in-flight record kept for the next \`bluegreen rollback ${environment}\`; send it again to exit at once`
          : `${signal}: finishing the current step, then stopping the new colour (or rolling back if traffic moved); send it again to exit at once`,
    last: () =>
      restartMarked
        ? `a rollback's restart stays recorded on the listener (phase restarting), its containers not gated: ${restartMarkRemedy(environment)} (a plain \`bluegreen release\` refuses until then)`
        : rollingBack
          ? `the rollback under way was interrupted: \`bluegreen rollback ${environment}\` finishes it`
          : command === "rollback"
            ? `\`bluegreen status ${environment}\` shows where this rollback stopped and what to run next; its lock stays until the next run takes it over`
            : undefined,
  };
}
