// Contract: the webhook delivery engine: request shape, retries on the scaled schedule,
// Retry-After, the 24 h lifetime, no delivery without a webhook.
import { describe, expect, test } from "vitest";
import { chatOf, deliveryWorld, idOf } from "../helpers/telegram-delivery-world.js";
import { TOKEN_A, waitFor, webhookInfo } from "../helpers/telegram-harness.js";

const dw = deliveryWorld();

describe("request", () => {
  test("POSTs the Update as JSON with the secret header when a secret is set", async () => {
    const rx = await dw.receiver();
    await dw.set({ url: rx.url("/telegram/blue?x=1"), secret_token: "s3cr3t_-" });
    dw.emu.control.addUpdates(TOKEN_A, [{ chatId: 77, text: "hello" }]);
    await waitFor(dw.allAcked(1), "the delivery");
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
    expect(dw.updates()[0]).toMatchObject({ acknowledged: true, acknowledgedUrl: rx.url("/telegram/blue?x=1"), attempts: 1 });
    const d = dw.emu.control.getDeliveries(TOKEN_A);
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
    const rx = await dw.receiver(() => ({ status: 204 }));
    await dw.set({ url: rx.url() });
    dw.emu.control.addUpdates(TOKEN_A, [{ chatId: 1, text: "x" }]);
    await waitFor(dw.allAcked(1), "the delivery");
    expect(rx.received[0]?.headers["x-telegram-bot-api-secret-token"]).toBeUndefined();
    expect(dw.emu.control.getDeliveries(TOKEN_A)[0]?.status).toBe(204);
  });

  test("ip_address: connects to that address, the url's host stays in the Host header", async () => {
    const rx = await dw.receiver();
    await dw.set({ url: `http://127.0.0.2:${rx.port}/hook`, ip_address: "127.0.0.1" });
    dw.emu.control.addUpdates(TOKEN_A, [{ chatId: 1, text: "x" }]);
    await waitFor(dw.allAcked(1), "the delivery");
    expect(rx.received[0]?.headers.host).toBe(`127.0.0.2:${rx.port}`);
  });

  test("a method in the 2xx JSON answer is executed (webhook reply)", async () => {
    const rx = await dw.receiver((r) => ({
      status: 200,
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ method: "sendMessage", chat_id: chatOf(r), text: `echo: ${r.json.message.text}` }),
    }));
    await dw.set({ url: rx.url() });
    dw.emu.control.addUpdates(TOKEN_A, [{ chatId: 5, text: "ping" }]);
    const log = await waitFor(() => {
      const m = dw.emu.control.getMessages(TOKEN_A);
      return m.length > 0 && m;
    }, "the reply");
    expect(log.map((m) => [m.chat_id, m.text])).toEqual([[5, "echo: ping"]]);
  });

  test("no delivery while no webhook is set; the update waits for one", async () => {
    dw.emu.control.addUpdates(TOKEN_A, [{ chatId: 1, text: "waits" }]);
    expect((await webhookInfo(dw.emu.url, TOKEN_A)).pending_update_count).toBe(1);
    expect(dw.emu.control.getDeliveries(TOKEN_A)).toEqual([]);
    const rx = await dw.receiver();
    await dw.set({ url: rx.url() });
    await waitFor(dw.allAcked(1), "the delivery");
    expect(rx.received.map(idOf)).toEqual([1]);
  });
});

describe("retries", () => {
  test("at once, then 2, 4, 8 ... 64 s, then 60-120 s, all scaled", async () => {
    const rx = await dw.receiver(() => ({ status: 500 }));
    await dw.set({ url: rx.url() });
    dw.emu.control.addUpdates(TOKEN_A, [{ chatId: 1, text: "x" }]);
    const d = await waitFor(() => {
      const done = dw.emu.control.getDeliveries(TOKEN_A).filter((x) => x.finishedAt !== null);
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
    const rx = await dw.receiver(() => {
      n += 1;
      if (n === 1) return { status: 503, headers: { "Retry-After": "50" } }; // 50 s * 0.002 = 100 ms
      if (n === 2) return { status: 429, headers: { "Retry-After": "25" } }; // 50 ms, not the schedule's 4 ms
      return { status: 200 };
    });
    await dw.set({ url: rx.url() });
    dw.emu.control.addUpdates(TOKEN_A, [{ chatId: 1, text: "x" }]);
    await waitFor(dw.allAcked(1), "the delivery");
    const d = dw.emu.control.getDeliveries(TOKEN_A);
    expect(d.map((x) => x.status)).toEqual([503, 429, 200]);
    const gap1 = (d[1]?.startedAt ?? 0) - (d[0]?.finishedAt ?? 0);
    expect(gap1).toBeGreaterThanOrEqual(100);
    expect(gap1).toBeLessThan(100 + 1000);
    const gap2 = (d[2]?.startedAt ?? 0) - (d[1]?.finishedAt ?? 0);
    expect(gap2).toBeGreaterThanOrEqual(50);
    expect(gap2).toBeLessThan(50 + 1000);
  });

  test("an update is dropped 24 h (scaled) after it was created", async () => {
    const fast = await dw.emulator(0.00001); // 24 h -> 864 ms
    const rx = await dw.receiver(() => ({ status: 502 }));
    await dw.set({ url: rx.url() }, fast);
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
