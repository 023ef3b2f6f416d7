// gates.timeout is a hard deadline (#13, #18): a gate check still in flight when it passes (here a
// Telegram that never answers) is abandoned, the signal handed to Telegram is aborted, and the
// failure names what was still unverified instead of claiming the gates ran "within" the timeout.
import { describe, expect, it } from "vitest";
import { GateFailedError } from "../../src/errors.js";
import type { Ctx } from "../../src/orchestrator/context.js";
import { waitForGates } from "../../src/orchestrator/gates.js";
import type { Telegram, WebhookInfo } from "../../src/ports.js";
import { ctxFor, GOAL } from "../fakes/argv-ctx.js";

const BEFORE: WebhookInfo = { url: "https://bot.example.com/telegram/blue", hasCustomCertificate: false, pendingUpdateCount: 0 };

/** A Telegram whose getWebhookInfo never settles by itself; it records the signal it was given. */
function blackHoledTelegram(): Telegram & { signals: AbortSignal[] } {
  const signals: AbortSignal[] = [];
  const never = () => new Promise<never>(() => undefined);
  return {
    signals,
    getMe: never,
    getWebhookInfo: (opts) => {
      if (opts?.signal !== undefined) signals.push(opts.signal);
      return never();
    },
    setWebhook: never,
    deleteWebhook: never,
  };
}

function ctxWith(telegram: Telegram, timeoutMs: number): Ctx {
  const base = ctxFor();
  return {
    ...base,
    telegram,
    reporter: { step: () => undefined } as unknown as Ctx["reporter"],
    settings: { ...base.settings, gates: { ...base.settings.gates, timeoutMs, intervalMs: 20, healthyThreshold: 2 } },
  };
}

describe("gates.timeout is a hard deadline", () => {
  it("a Telegram check that never answers ends at the deadline, naming what was unverified", async () => {
    const telegram = blackHoledTelegram();
    const started = performance.now();
    const e = await waitForGates(ctxWith(telegram, 150), GOAL, BEFORE, "blue").catch((x: unknown) => x);
    const took = performance.now() - started;
    expect(e).toBeInstanceOf(GateFailedError);
    const message = (e as GateFailedError).message;
    expect(message).toContain("did not pass its gates within 0.2s (gates.timeout, a hard deadline)");
    expect(message).toContain(
      "still unverified: Telegram (getWebhookInfo: the webhook untouched by the new colour), the containers and /health on every host, the ALB target health",
    );
    expect(message).toContain("had not answered");
    // The signal Telegram got is the deadline's: aborted when the gates gave up.
    expect(telegram.signals).toHaveLength(1);
    expect(telegram.signals[0]?.aborted).toBe(true);
    // A generous bound: the 150 ms deadline, not an unbounded wait.
    expect(took).toBeLessThan(5000);
  });
});
