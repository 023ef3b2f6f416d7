// Contract: the webhook delivery engine: request shape, retries on the scaled schedule,
// Retry-After, 24 h lifetime, per-chat order, max_connections, url changes.
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { startTelegramEmulator, type TelegramEmulator } from "../../src/sandbox/telegram/index.js";
import { api, BOT_A, TOKEN_A, waitFor, webhookInfo } from "../helpers/telegram-harness.js";
import { type Receiver, type Replier, startReceiver } from "../helpers/telegram-receiver.js";

let emu: TelegramEmulator;
const receivers: Receiver[] = [];
const emulators: TelegramEmulator[] = [];

async function receiver(reply?: Replier): Promise<Receiver> {
  const r = await startReceiver(reply);
  receivers.push(r);
  return r;
}

async function emulator(timeScale: number): Promise<TelegramEmulator> {
  const e = await startTelegramEmulator({ timeScale, deliveryTimeoutMs: 5000, bots: [BOT_A] });
  emulators.push(e);
  return e;
}

// Scale 0.002: retry waits 0, 4, 8, 16, 32, 64, 128 ms, then 120-240 ms; rate limit 2 ms.
beforeEach(async () => {
  emu = await emulator(0.002);
});
afterEach(async () => {
  await Promise.all(emulators.splice(0).map((e) => e.stop()));
  await Promise.all(receivers.splice(0).map((r) => r.stop()));
});

const set = (params: Record<string, unknown>, e = emu) => api(e.url, TOKEN_A, "setWebhook", params);
const updates = () => emu.control.getUpdates(TOKEN_A);
const allAcked = (n: number) => () => {
  const u = updates();
  return u.length === n && u.every((x) => x.acknowledged);
};
const chatOf = (r: { json: { message: { chat: { id: number } } } }) => r.json.message.chat.id;
const idOf = (r: { json: { update_id: number } }) => r.json.update_id;

describe("request", () => {
  test("POSTs the Update as JSON with the secret header when a secret is set", async () => {
    const rx = await receiver();
    await set({ url: rx.url("/telegram/blue?x=1"), secret_token: "s3cr3t_-" });
    emu.control.addUpdates(TOKEN_A, [{ chatId: 77, text: "hello" }]);
    await waitFor(allAcked(1), "the delivery");
    const r = rx.received[0];
    expect(r?.path).toBe("/telegram/blue?x=1");
    expect(r?.headers["content-type"]).toBe("application/json");
    expect(r?.headers["x-telegram-bot-api-secret-token"]).toBe("s3cr3t_-");
    expect(r?.json).toEqual({
      update_id: 1,
      message: {
        message_id: expect.any(Number),
        date: expect.any(Number),
        chat: { id: 77, type: "private" },
        from: { id: 77, is_bot: false, first_name: "User 77" },
        text: "hello",
      },
    });
    expect(updates()[0]).toMatchObject({ acknowledged: true, acknowledgedUrl: rx.url("/telegram/blue?x=1"), attempts: 1 });
    const d = emu.control.getDeliveries(TOKEN_A);
    expect(d).toEqual([
      {
        updateId: 1,
        chatId: 77,
        url: rx.url("/telegram/blue?x=1"),
        attempt: 1,
        status: 200,
        error: null,
        startedAt: expect.any(Number),
        finishedAt: expect.any(Number),
      },
    ]);
  });

  test("no secret header without a secret; any 2xx acknowledges", async () => {
    const rx = await receiver(() => ({ status: 204 }));
    await set({ url: rx.url() });
    emu.control.addUpdates(TOKEN_A, [{ chatId: 1, text: "x" }]);
    await waitFor(allAcked(1), "the delivery");
    expect(rx.received[0]?.headers["x-telegram-bot-api-secret-token"]).toBeUndefined();
    expect(emu.control.getDeliveries(TOKEN_A)[0]?.status).toBe(204);
  });

  test("ip_address: connects to that address, the url's host stays in the Host header", async () => {
    const rx = await receiver();
    await set({ url: `http://127.0.0.2:${rx.port}/hook`, ip_address: "127.0.0.1" });
    emu.control.addUpdates(TOKEN_A, [{ chatId: 1, text: "x" }]);
    await waitFor(allAcked(1), "the delivery");
    expect(rx.received[0]?.headers.host).toBe(`127.0.0.2:${rx.port}`);
  });

  test("a method in the 2xx JSON answer is executed (webhook reply)", async () => {
    const rx = await receiver((r) => ({
      status: 200,
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ method: "sendMessage", chat_id: chatOf(r), text: `echo: ${r.json.message.text}` }),
    }));
    await set({ url: rx.url() });
    emu.control.addUpdates(TOKEN_A, [{ chatId: 5, text: "ping" }]);
    const log = await waitFor(() => {
      const m = emu.control.getMessages(TOKEN_A);
      return m.length > 0 && m;
    }, "the reply");
    expect(log.map((m) => [m.chat_id, m.text])).toEqual([[5, "echo: ping"]]);
  });

  test("no delivery while no webhook is set; the update waits for one", async () => {
    emu.control.addUpdates(TOKEN_A, [{ chatId: 1, text: "waits" }]);
    expect((await webhookInfo(emu.url, TOKEN_A)).pending_update_count).toBe(1);
    expect(emu.control.getDeliveries(TOKEN_A)).toEqual([]);
    const rx = await receiver();
    await set({ url: rx.url() });
    await waitFor(allAcked(1), "the delivery");
    expect(rx.received.map(idOf)).toEqual([1]);
  });
});

describe("retries", () => {
  test("at once, then 2, 4, 8 ... 64 s, then 60-120 s, all scaled", async () => {
    const rx = await receiver(() => ({ status: 500 }));
    await set({ url: rx.url() });
    emu.control.addUpdates(TOKEN_A, [{ chatId: 1, text: "x" }]);
    const d = await waitFor(() => {
      const done = emu.control.getDeliveries(TOKEN_A).filter((x) => x.finishedAt !== null);
      return done.length >= 10 && done.slice(0, 10);
    }, "10 finished attempts");
    expect(d.map((x) => x.attempt)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(d.every((x) => x.status === 500 && x.error === "Wrong response from the webhook: 500 Internal Server Error")).toBe(true);
    const gaps = d.slice(1).map((x, i) => x.startedAt - (d[i]?.finishedAt ?? 0));
    const expected = [0, 4, 8, 16, 32, 64, 128]; // 0, 2 ... 64 s * 0.002
    expected.forEach((wait, i) => {
      expect(gaps[i]).toBeGreaterThanOrEqual(wait);
      expect(gaps[i]).toBeLessThan(wait + 1000); // unscaled it would be seconds
    });
    for (const g of gaps.slice(7)) {
      expect(g).toBeGreaterThanOrEqual(120); // 60 s * 0.002
      expect(g).toBeLessThan(240 + 1000); // 120 s * 0.002
    }
  });

  test("a Retry-After reply header sets the wait", async () => {
    let n = 0;
    const rx = await receiver(() => {
      n += 1;
      if (n === 1) return { status: 503, headers: { "Retry-After": "50" } }; // 50 s * 0.002 = 100 ms
      if (n === 2) return { status: 429, headers: { "Retry-After": "25" } }; // 50 ms, not the schedule's 4 ms
      return { status: 200 };
    });
    await set({ url: rx.url() });
    emu.control.addUpdates(TOKEN_A, [{ chatId: 1, text: "x" }]);
    await waitFor(allAcked(1), "the delivery");
    const d = emu.control.getDeliveries(TOKEN_A);
    expect(d.map((x) => x.status)).toEqual([503, 429, 200]);
    const gap1 = (d[1]?.startedAt ?? 0) - (d[0]?.finishedAt ?? 0);
    expect(gap1).toBeGreaterThanOrEqual(100);
    expect(gap1).toBeLessThan(100 + 1000);
    const gap2 = (d[2]?.startedAt ?? 0) - (d[1]?.finishedAt ?? 0);
    expect(gap2).toBeGreaterThanOrEqual(50);
    expect(gap2).toBeLessThan(50 + 1000);
  });

  test("an update is dropped 24 h (scaled) after it was created", async () => {
    const fast = await emulator(0.00001); // 24 h -> 864 ms
    const rx = await receiver(() => ({ status: 502 }));
    await set({ url: rx.url() }, fast);
    fast.control.addUpdates(TOKEN_A, [{ chatId: 1, text: "doomed" }]);
    const rec = await waitFor(() => {
      const u = fast.control.getUpdates(TOKEN_A)[0];
      return u?.dropped === true && u;
    }, "the update to be dropped");
    expect(rec.acknowledged).toBe(false);
    expect((await webhookInfo(fast.url, TOKEN_A)).pending_update_count).toBe(0);
    const attempts = fast.control.getDeliveries(TOKEN_A);
    expect(attempts.length).toBeGreaterThan(1);
    expect(rec.attempts).toBe(attempts.length);
    // No attempt starts after the lifetime (a few ms of slack for the clock reads).
    for (const a of attempts) expect(a.startedAt).toBeLessThanOrEqual(rec.createdAt + 864 + 5);
  });
});

describe("order and parallelism", () => {
  test("one update in flight per chat, in order; a failing update blocks only its chat", async () => {
    let failedOnce = false;
    const rx = await receiver((r) => {
      if (chatOf(r) === 1 && !failedOnce) {
        failedOnce = true;
        return { status: 500, headers: { "Retry-After": "50" } }; // chat 1 waits 100 ms
      }
      return { status: 200 };
    });
    await set({ url: rx.url() });
    emu.control.addUpdates(TOKEN_A, [
      { chatId: 1, text: "1a" },
      { chatId: 2, text: "2a" },
      { chatId: 1, text: "1b" },
      { chatId: 2, text: "2b" },
      { chatId: 1, text: "1c" },
      { chatId: 2, text: "2c" },
    ]);
    await waitFor(allAcked(6), "every update");
    expect(rx.received.filter((r) => chatOf(r) === 1).map(idOf)).toEqual([1, 1, 3, 5]);
    expect(rx.received.filter((r) => chatOf(r) === 2).map(idOf)).toEqual([2, 4, 6]);
    expect(rx.maxConcurrentPerChat).toBe(1);
    const ackedAt = new Map(updates().map((u) => [u.updateId, u.acknowledgedAt ?? 0]));
    // Chat 2 went on while chat 1 waited for its retry.
    for (const id of [2, 4, 6]) expect(ackedAt.get(id)).toBeLessThanOrEqual(ackedAt.get(1) ?? 0);
    expect(ackedAt.get(1)).toBeLessThanOrEqual(ackedAt.get(3) ?? 0);
    expect(ackedAt.get(3)).toBeLessThanOrEqual(ackedAt.get(5) ?? 0);
  });

  test.each([
    [3, 3],
    [undefined, 8],
  ])("chats run in parallel up to max_connections (%j -> %i at once)", async (maxConnections, expected) => {
    const rx = await receiver(async () => {
      await new Promise((r) => setTimeout(r, 200)); // long enough for every request to overlap
      return { status: 200 };
    });
    await set({ url: rx.url(), max_connections: maxConnections });
    emu.control.addUpdates(
      TOKEN_A,
      Array.from({ length: 8 }, (_, i) => ({ chatId: 100 + i, text: "x" })),
    );
    await waitFor(allAcked(8), "every update");
    expect(rx.maxConcurrent).toBe(expected);
  });
});

describe("url changes", () => {
  test("in-flight requests to the old url are aborted and redelivered to the new url", async () => {
    const oldRx = await receiver(() => ({ hang: true }));
    await set({ url: oldRx.url("/telegram/blue") });
    emu.control.addUpdates(TOKEN_A, [{ chatId: 1, text: "handover" }]);
    await waitFor(() => oldRx.received.length === 1, "the first delivery");
    const newRx = await receiver();
    await set({ url: newRx.url("/telegram/green") });
    await waitFor(allAcked(1), "the redelivery");
    await waitFor(() => oldRx.received[0]?.aborted, "the old request to be aborted");
    expect(newRx.received.map((r) => r.body)).toEqual([oldRx.received[0]?.body]);
    expect(updates()[0]).toMatchObject({ acknowledgedUrl: newRx.url("/telegram/green"), attempts: 2 });
    expect(emu.control.getDeliveries(TOKEN_A).map((d) => [d.url, d.attempt, d.status, d.error])).toEqual([
      [oldRx.url("/telegram/blue"), 1, null, "Request aborted: webhook changed"],
      [newRx.url("/telegram/green"), 2, 200, null],
    ]);
  });

  test("pending updates survive a url change and keep their order", async () => {
    const oldRx = await receiver(() => ({ status: 502, headers: { "Retry-After": "100000" } }));
    await set({ url: oldRx.url() });
    emu.control.addUpdates(TOKEN_A, [
      { chatId: 1, text: "a" },
      { chatId: 1, text: "b" },
      { chatId: 2, text: "c" },
      { chatId: 1, text: "d" },
    ]);
    await waitFor(() => oldRx.received.length === 2, "the first failures");
    const newRx = await receiver();
    await set({ url: newRx.url() });
    await waitFor(allAcked(4), "every update");
    expect(newRx.received.filter((r) => chatOf(r) === 1).map(idOf)).toEqual([1, 2, 4]);
    expect(newRx.received.filter((r) => chatOf(r) === 2).map(idOf)).toEqual([3]);
  });

  test("drop_pending_updates on the change loses them", async () => {
    const oldRx = await receiver(() => ({ status: 502, headers: { "Retry-After": "100000" } }));
    await set({ url: oldRx.url() });
    emu.control.addUpdates(TOKEN_A, [
      { chatId: 1, text: "a" },
      { chatId: 2, text: "b" },
    ]);
    await waitFor(() => oldRx.received.length === 2, "the first failures");
    const newRx = await receiver();
    await set({ url: newRx.url(), drop_pending_updates: true });
    emu.control.addUpdates(TOKEN_A, [{ chatId: 1, text: "after" }]);
    await waitFor(() => newRx.received.length === 1, "the new update");
    expect(newRx.received.map(idOf)).toEqual([3]);
    expect(updates().map((u) => [u.updateId, u.dropped])).toEqual([
      [1, true],
      [2, true],
      [3, false],
    ]);
  });
});
