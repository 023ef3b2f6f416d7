// systemClock.sleep is called once per bake interval with the run's one cancel signal (review s9,
// F3): a sleep whose timer fired must leave no abort listener behind, or a bake of more than ten
// checks prints Node's MaxListenersExceededWarning (production's 30 m bake: ~360 listeners). A
// sleep that is aborted still rejects at once with the signal's reason.
import { getEventListeners } from "node:events";
import { afterEach, describe, expect, it } from "vitest";
import { systemClock } from "../../src/orchestrator/connect.js";

const warnings: Error[] = [];
const onWarning = (w: Error): void => {
  warnings.push(w);
};

afterEach(() => {
  process.off("warning", onWarning);
  warnings.length = 0;
});

/** Lets process.emitWarning's nextTick delivery run. */
const settle = (): Promise<void> => new Promise((r) => setImmediate(r));

describe("systemClock.sleep on a shared cancel signal", () => {
  it("leaves no abort listener after each of 40 sleeps and emits no listener warning", async () => {
    process.on("warning", onWarning);
    const cancel = new AbortController();
    for (let i = 0; i < 40; i++) {
      await systemClock.sleep(1, cancel.signal);
      expect(getEventListeners(cancel.signal, "abort")).toHaveLength(0);
    }
    await settle();
    expect(warnings.filter((w) => w.name === "MaxListenersExceededWarning")).toEqual([]);
  });

  it("holds one listener while sleeping, and an abort rejects with the reason and removes it", async () => {
    const cancel = new AbortController();
    const sleeping = systemClock.sleep(60_000, cancel.signal);
    expect(getEventListeners(cancel.signal, "abort")).toHaveLength(1);
    const reason = new Error("cancelled by SIGINT");
    cancel.abort(reason);
    await expect(sleeping).rejects.toBe(reason);
    expect(getEventListeners(cancel.signal, "abort")).toHaveLength(0);
  });

  it("rejects at once on an already aborted signal without adding a listener", async () => {
    const cancel = new AbortController();
    const reason = new Error("cancelled by SIGTERM");
    cancel.abort(reason);
    await expect(systemClock.sleep(60_000, cancel.signal)).rejects.toBe(reason);
    expect(getEventListeners(cancel.signal, "abort")).toHaveLength(0);
  });
});
