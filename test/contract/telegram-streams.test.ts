// Contract: update streams (POST/GET/DELETE /_control/streams): rate, count, duration,
// round-robin chats, and every streamed update delivered (0 lost).
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { startTelegramEmulator, type TelegramEmulator } from "../../src/sandbox/telegram/index.js";
import { api, BOT_A, ctl, TOKEN_A, waitFor } from "../helpers/telegram-harness.js";
import { type Receiver, startReceiver } from "../helpers/telegram-receiver.js";

let emu: TelegramEmulator;
let rx: Receiver | undefined;

beforeEach(async () => {
  emu = await startTelegramEmulator({ timeScale: 0.001, bots: [BOT_A] });
});
afterEach(async () => {
  await emu.stop();
  await rx?.stop();
  rx = undefined;
});

const stream = (spec: Record<string, unknown>) => ctl(emu.url, "POST", "streams", spec);
const status = (id: string) => ctl(emu.url, "GET", `streams/${id}`);

describe("streams", () => {
  test("count: round-robin over the chats at the given rate, all delivered", async () => {
    rx = await startReceiver();
    await api(emu.url, TOKEN_A, "setWebhook", { url: rx.url() });
    const started = await stream({ token: TOKEN_A, ratePerSecond: 200, count: 20, chatIds: [1, 2, 3] });
    expect(started.body).toEqual({ streamId: "stream-1" });
    const done = await waitFor(async () => {
      const s = await status("stream-1");
      return s.body.done === true && s.body;
    }, "the stream to finish");
    expect(done).toEqual({ injected: 20, done: true, updateIds: Array.from({ length: 20 }, (_, i) => i + 1) });
    const records = emu.control.getUpdates(TOKEN_A);
    expect(records.map((r) => r.chatId)).toEqual(Array.from({ length: 20 }, (_, i) => [1, 2, 3][i % 3]));
    // 19 intervals of 5 ms at 200/s.
    const spread = (records[19]?.createdAt ?? 0) - (records[0]?.createdAt ?? 0);
    expect(spread).toBeGreaterThanOrEqual(90);
    expect(spread).toBeLessThan(2000);
    await waitFor(() => emu.control.getUpdates(TOKEN_A).every((u) => u.acknowledged), "every update acknowledged");
    expect(new Set(rx.received.map((r) => r.json.update_id)).size).toBe(20);
    expect(rx.received.map((r) => r.json.message.text).sort()).toContain("stream-1 #20");
  });

  test("duration: rate x duration updates", async () => {
    await stream({ token: TOKEN_A, ratePerSecond: 100, durationMs: 200, chatIds: [9] });
    const done = await waitFor(async () => {
      const s = await status("stream-1");
      return s.body.done === true && s.body;
    }, "the stream to finish");
    expect(done.injected).toBe(20);
  });

  test("DELETE stops a stream and says how many it injected", async () => {
    await stream({ token: TOKEN_A, ratePerSecond: 100, count: 100000, chatIds: [1] });
    await waitFor(() => emu.control.getUpdates(TOKEN_A).length >= 3, "a few updates");
    const stopped = await ctl(emu.url, "DELETE", "streams/stream-1");
    expect(stopped.status).toBe(200);
    const n = stopped.body.injected as number;
    expect(n).toBeGreaterThanOrEqual(3);
    const after = await status("stream-1");
    expect(after.body).toMatchObject({ injected: n, done: true });
    expect(emu.control.getUpdates(TOKEN_A)).toHaveLength(n);
  });

  test("the in-process control starts and stops streams too", async () => {
    const { streamId } = emu.control.startStream({ token: TOKEN_A, ratePerSecond: 1000, count: 5, chatIds: [4, 5] });
    await waitFor(() => emu.control.getStream(streamId).done, "the stream");
    expect(emu.control.getStream(streamId)).toEqual({ injected: 5, done: true, updateIds: [1, 2, 3, 4, 5] });
    expect(emu.control.stopStream(streamId)).toEqual({ injected: 5 });
  });

  test.each([
    [{ token: TOKEN_A, ratePerSecond: 10, chatIds: [1] }, 400, "count or durationMs is required"],
    [{ token: TOKEN_A, ratePerSecond: 0, count: 1, chatIds: [1] }, 400, "ratePerSecond must be a number > 0"],
    [{ token: TOKEN_A, ratePerSecond: 10, count: 1, chatIds: [] }, 400, "chatIds must be a non-empty array of integers"],
    [{ token: "555555555:TEST-bot-token-zzzzzzzzzzzzzzzzzzzzzzzzz", ratePerSecond: 10, count: 1, chatIds: [1] }, 404, "unknown bot token"],
  ])("%j -> %i %j", async (spec, code, error) => {
    const a = await stream(spec);
    expect([a.status, a.body]).toEqual([code, { error }]);
  });

  test("an unknown stream id is 404", async () => {
    expect((await status("stream-99")).body).toEqual({ error: "unknown stream" });
    expect((await ctl(emu.url, "DELETE", "streams/stream-99")).status).toBe(404);
  });
});
