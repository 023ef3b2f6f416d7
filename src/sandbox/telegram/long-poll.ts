// The one pending getUpdates long poll of a bot. A newer poll or a setWebhook ends it with a
// 409; the HTTP layer cancels it when the client goes away.
import type { ApiError } from "./envelope.js";

interface Waiter {
  wake(): void;
  fail(err: ApiError): void;
}

export class LongPoll {
  private current: Waiter | null = null;

  get pending(): boolean {
    return this.current !== null;
  }

  /** Ends the pending poll (if any) with `err`. */
  terminate(err: ApiError): void {
    const w = this.current;
    this.current = null;
    w?.fail(err);
  }

  /** Wakes the pending poll so it re-reads the queue. */
  notify(): void {
    this.current?.wake();
  }

  /**
   * Waits until notify(), the timeout, or `signal`. Resolves normally in those cases; rejects
   * with the ApiError given to terminate().
   */
  wait(timeoutMs: number, signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener("abort", onAbort);
        if (this.current === waiter) this.current = null;
      };
      const waiter: Waiter = {
        wake: () => {
          done();
          resolve();
        },
        fail: (err) => {
          done();
          reject(err);
        },
      };
      const onAbort = (): void => waiter.wake();
      const timer = setTimeout(() => waiter.wake(), timeoutMs);
      signal.addEventListener("abort", onAbort);
      this.current = waiter;
      if (signal.aborted) waiter.wake();
    });
  }
}
