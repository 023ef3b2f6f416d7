// review-s9 F17: a warm rollback's output showed only `finalize`, not the listener and webhook
// moves a release's cutover shows. Now each switch it moves is a note of the rollback, in order,
// before its bookkeeping; the call ledger's steps (start/ok) are unchanged.
import { describe, expect, it } from "vitest";
import { rollback } from "../../src/orchestrator/rollback.js";
import { capturedOutput } from "../fakes/captured-output.js";
import { releasedTwice } from "../fakes/rollback-setup.js";

describe("a warm rollback shows its switch moves", () => {
  it("listener -> blue, then webhook -> blue's URL, before finalize; printed as lines and --json notes", async () => {
    const { env } = await releasedTwice();
    const from = env.events.length;
    const r = await rollback(env.ctx, { lockWaitMs: 0, runId: "rb" });
    expect(r).toMatchObject({ mode: "warm", colour: "blue", releaseId: "r1" });
    const events = env.events.slice(from);
    const moves = events.filter((e) => e.step === "rollback" && e.status === "info");
    expect(moves).toEqual([
      { step: "rollback", status: "info", message: "listener -> blue", colour: "blue" },
      { step: "rollback", status: "info", message: `webhook -> ${env.settings.webhook.urls.blue}`, colour: "blue" },
    ]);
    const finalize = events.findIndex((e) => e.step === "finalize" && e.status === "start");
    expect(events.indexOf(moves[1] as (typeof events)[number])).toBeLessThan(finalize);
    const text = capturedOutput(false);
    for (const e of moves) text.out.step(e);
    expect(text.stdout()).toContain("listener -> blue");
    expect(text.stdout()).toContain(`webhook -> ${env.settings.webhook.urls.blue}`);
    const json = capturedOutput(true);
    for (const e of moves) json.out.step(e);
    expect(
      json
        .stdout()
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as { type: string; message: string }),
    ).toMatchObject([
      { type: "note", message: "listener -> blue" },
      { type: "note", message: `webhook -> ${env.settings.webhook.urls.blue}` },
    ]);
  });
});
