// The first /health check of a container this run just started waits for its port to listen (#17),
// as a Kubernetes startupProbe or an ECS startPeriod gives a starting container time, but without
// costing a bot that is up at once anything: a port nothing serves yet (NotListeningError: the
// connection refused, or closed before any answer as docker's userland proxy does for a container
// not listening yet) is asked again quickly, so a bot that listens 300 ms after `docker run` passes
// its first check then, not a whole gates.interval later. Only that is retried: any answer (HTTP
// 500), a connection cut after the answer began, or a timeout decides the check at once, and a
// crash is still caught by the inspect the failing check triggers (gateInspects) or, at the
// latest, by the threshold's inspect (restart counts are cumulative).
import pRetry from "p-retry";
import { NotListeningError } from "../ports.js";

/**
 * How soon a refused connection is asked again: quickly at first (a bot that binds its port a few
 * hundred ms after its start passes then), backing off to once a second for a slow starter.
 */
export const LISTEN_RETRY = { minTimeout: 100, factor: 1.5, maxTimeout: 1000 } as const;

/**
 * Whether a gate attempt's /health on a host waits for the port to listen: pure, tested row by row.
 * Only the first attempt, only for containers this run started itself (a container an earlier run
 * started that refuses has stopped listening: the attempt fails and inspects it at once), and only
 * where /health is the signal (a poller without one is inspected every attempt).
 */
export function awaitsListening(o: { healthChecked: boolean; firstAttempt: boolean; startedThisRun: boolean }): boolean {
  return o.healthChecked && o.firstAttempt && o.startedThisRun;
}

/** The delay before the n-th retry (0-based), as p-retry computes it from LISTEN_RETRY. */
function delay(n: number): number {
  return Math.min(LISTEN_RETRY.maxTimeout, Math.round(LISTEN_RETRY.minTimeout * LISTEN_RETRY.factor ** n));
}

/**
 * The most requests the wait makes within `windowMs`: the first, one after each delay that ends
 * inside the window, and a last one at the window's end (p-retry shortens the last delay to what is
 * left). Pure: the wait's retry budget, and the call-count test's bound on /health requests.
 */
export function listenPolls(windowMs: number): number {
  let at = 0;
  let polls = 1;
  for (let n = 0; windowMs > 0; n++) {
    const d = delay(n);
    polls += 1;
    if (at + d >= windowMs) break;
    at += d;
  }
  return polls;
}

/**
 * `ask` (one /health request), asked again while nothing serves the port (NotListeningError), for
 * at most `windowMs` (the gates' interval: the next attempt would come then anyway) and never past
 * `signal` (the gates' deadline or a cancel). Any other failure, and the last refusal, is thrown as
 * it came.
 */
export function untilListening<T>(ask: () => Promise<T>, o: { windowMs: number; signal: AbortSignal }): Promise<T> {
  return pRetry(ask, {
    retries: listenPolls(o.windowMs) - 1,
    ...LISTEN_RETRY,
    randomize: false,
    maxRetryTime: o.windowMs,
    signal: o.signal,
    shouldRetry: ({ error }) => error instanceof NotListeningError,
  });
}
