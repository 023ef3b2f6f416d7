// Contract: getUpdates (polling): conflicts with a webhook and with another poller, offset,
// limit and (scaled) timeout.
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { startTelegramEmulator, type TelegramEmulator } from "../../src/sandbox/telegram/index.js";
import { api, BOT_A, TOKEN_A, waitFor, webhookInfo } from "../helpers/telegram-harness.js";

let emu: TelegramEmulator;

// Scale 0.01: a 50 s long poll lasts at most 0.5 s.
beforeEach(async () => {
  emu = await startTelegramEmulator({ timeScale: 0.01, bots: [BOT_A] });
});
afterEach(async () => {
  await emu.stop();
});

const poll = (params: Record<string, unknown> = {}) => api(emu.url, TOKEN_A, "getUpdates", params);
const ids = (a: { body: { result: { update_id: number }[] } }) => a.body.result.map((u) => u.update_id);
const inject = (n: number, chatId = 1) =>
  emu.control.addUpdates(
    TOKEN_A,
    Array.from({ length: n }, (_, i) => ({ chatId, text: `m${i + 1}` })),
  ).updateIds;
const pollPending = () => waitFor(() => emu.control.getCalls().filter((c) => c.method === "getUpdates" && c.status === null).length > 0, "a pending long poll");

describe("conflicts", () => {
  test("while a webhook is set: 409 can't use getUpdates", async () => {
    await api(emu.url, TOKEN_A, "setWebhook", { url: "http://127.0.0.1:5001/a" });
    const a = await poll();
    expect(a.status).toBe(409);
    expect(a.body).toEqual({
      ok: false,
      error_code: 409,
      description: "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
    });
    await api(emu.url, TOKEN_A, "deleteWebhook");
    expect((await poll()).body).toEqual({ ok: true, result: [] });
  });

  test("two pollers: the older long poll gets 409, the newer one the update", async () => {
    const older = poll({ timeout: 50 });
    await pollPending();
    const newer = poll({ timeout: 50 });
    const first = await older;
    expect(first.status).toBe(409);
    expect(first.body).toEqual({
      ok: false,
      error_code: 409,
      description: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
    });
    const [id] = inject(1);
    const second = await newer;
    expect(second.status).toBe(200);
    expect(ids(second)).toEqual([id]);
  });

  test("setWebhook ends a pending long poll with 409", async () => {
    const pending = poll({ timeout: 50 });
    await pollPending();
    await api(emu.url, TOKEN_A, "setWebhook", { url: "http://127.0.0.1:5001/a" });
    expect((await pending).body).toEqual({
      ok: false,
      error_code: 409,
      description: "Conflict: terminated by setWebhook request",
    });
  });
});

describe("offset, limit, timeout", () => {
  test("returns pending updates in order; offset confirms everything before it", async () => {
    inject(3, 1);
    inject(2, 2);
    const first = await poll();
    expect(first.body.result[0]).toEqual({
      update_id: 1,
      message: {
        message_id: expect.any(Number),
        date: expect.any(Number),
        chat: { id: 1, type: "private" },
        from: expect.objectContaining({ id: 1, is_bot: false }),
        text: "m1",
      },
    });
    expect(ids(first)).toEqual([1, 2, 3, 4, 5]);
    // Without an offset nothing is confirmed.
    expect(ids(await poll())).toEqual([1, 2, 3, 4, 5]);
    expect(ids(await poll({ offset: 4 }))).toEqual([4, 5]);
    expect((await webhookInfo(emu.url, TOKEN_A)).pending_update_count).toBe(2);
    const records = emu.control.getUpdates(TOKEN_A);
    expect(records.map((r) => [r.updateId, r.acknowledged, r.acknowledgedUrl])).toEqual([
      [1, true, null],
      [2, true, null],
      [3, true, null],
      [4, false, null],
      [5, false, null],
    ]);
    expect(ids(await poll({ offset: 6 }))).toEqual([]);
    expect((await webhookInfo(emu.url, TOKEN_A)).pending_update_count).toBe(0);
  });

  test("limit is clamped to 1..100", async () => {
    inject(105);
    expect(ids(await poll({ limit: 2 }))).toEqual([1, 2]);
    expect(ids(await poll({ limit: 0 }))).toEqual([1]);
    expect(ids(await poll({ limit: 1000 }))).toHaveLength(100);
    expect(ids(await poll())).toHaveLength(100);
  });

  test("a negative offset keeps only the last updates", async () => {
    inject(5);
    expect(ids(await poll({ offset: -2 }))).toEqual([4, 5]);
    expect(ids(await poll())).toEqual([4, 5]);
  });

  test("a long poll returns as soon as an update arrives", async () => {
    emu.control.setTimeScale(1); // 50 s for real: only the update can end it in time
    const started = Date.now();
    const pending = poll({ timeout: 50 });
    await pollPending();
    const [id] = inject(1);
    expect(ids(await pending)).toEqual([id]);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  test("the timeout is scaled and answers [] when nothing came", async () => {
    const started = Date.now();
    const a = await poll({ timeout: 20 }); // 20 s * 0.01 = 200 ms
    const elapsed = Date.now() - started;
    expect(a.body).toEqual({ ok: true, result: [] });
    expect(elapsed).toBeGreaterThanOrEqual(190);
    expect(elapsed).toBeLessThan(2000);
  });

  test("updates queued while a webhook failed are there for polling after deleteWebhook", async () => {
    await api(emu.url, TOKEN_A, "setWebhook", { url: "http://127.0.0.1:9/unreachable" });
    inject(2);
    await api(emu.url, TOKEN_A, "deleteWebhook");
    expect(ids(await poll())).toEqual([1, 2]);
  });
});
