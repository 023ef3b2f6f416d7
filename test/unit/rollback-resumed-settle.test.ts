// A cold rollback killed before its `start` (its record: phase "staging") is resumed by the next
// `rollback`, which starts the stopped containers itself: their webhook is watched for gates.settle
// like an uninterrupted cold rollback's, so a restarted bot's late setWebhook is put back (review2 M2).
import { describe, expect, it } from "vitest";
import { decodeTags } from "../../src/domain/tags.js";
import { rollback } from "../../src/orchestrator/rollback.js";
import { fakeEnvironment } from "../fakes/release-world.js";
import { lateSetWebhookAfterFinalize, onEachStep, releaseR1R2 } from "../fakes/rollback-setup.js";

class Killed extends Error {}

describe("a resumed cold rollback's webhook (review2 M2)", () => {
  it("is watched for gates.settle when the resumed run started the containers: a late setWebhook after the read-back is put back", async () => {
    const env = fakeEnvironment();
    env.settings.rollout.keepPreviousWarmMs = 600_000;
    env.settings.gates.settleMs = 600;
    await releaseR1R2(env);
    // blue (r1) is cold: its containers stopped, so the rollback restarts and gates them.
    for (const h of env.hosts) {
      const c = h.containers.get("telegram-bot-blue");
      if (c !== undefined) c.running = false;
    }
    const step0 = onEachStep(env, (e) => {
      if (e.step === "start" && e.status === "start") throw new Killed("killed before start");
    });
    await expect(rollback(env.ctx, { lockWaitMs: 0, runId: "rb" })).rejects.toBeInstanceOf(Killed);
    expect(decodeTags(env.lb.tags).inFlight).toMatchObject({ kind: "rollback", releaseId: "r1", phase: "staging" });
    expect(env.hosts.map((h) => h.containers.get("telegram-bot-blue")?.running)).toEqual([false, false]);
    // The restarted bot's late start-up call: setWebhook to a wrong URL at the webhook's second
    // read after the finalize (rollback's observe of the result, then the read-back). The kill
    // before `start` is taken off first: this run starts the containers.
    env.ctx.reporter = { step: step0 };
    const reads = lateSetWebhookAfterFinalize(env);
    const r = await rollback(env.ctx, { lockWaitMs: 0, runId: "rb2" });
    expect(r).toMatchObject({ mode: "recovered", colour: "blue", releaseId: "r1" });
    expect(r.message).toBe("found an interrupted rollback r1 (staging) to blue: finished it (restarted and gated)");
    expect(env.hosts.map((h) => h.containers.get("telegram-bot-blue")?.running)).toEqual([true, true]);
    expect(reads()).toBeGreaterThan(2);
    expect(env.telegram.info.url).toBe("https://bot.example.com/telegram/blue");
    expect(r.webhookRestored).toEqual([
      "during the settle window the webhook was set to https://late.example/wrong; bluegreen restored it to https://bot.example.com/telegram/blue",
    ]);
  });
});
