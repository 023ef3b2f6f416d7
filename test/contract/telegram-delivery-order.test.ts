// Contract: the webhook delivery engine: per-chat order, chats in parallel up to
// max_connections, and url changes (abort + redelivery, pending updates survive).
import { describe, expect, test } from "vitest";
import { chatOf, deliveryWorld, idOf } from "../helpers/telegram-delivery-world.js";
import { TOKEN_A, waitFor } from "../helpers/telegram-harness.js";

const dw = deliveryWorld();

describe("order and parallelism", () => {
  test("one update in flight per chat, in order; a failing update blocks only its chat", async () => {
    let failedOnce = false;
    const rx = await dw.receiver((r) => {
      if (chatOf(r) === 1 && !failedOnce) {
        failedOnce = true;
        return { status: 500, headers: { "Retry-After": "50" } }; // chat 1 waits 100 ms
      }
      return { status: 200 };
    });
    await dw.set({ url: rx.url() });
    dw.emu.control.addUpdates(TOKEN_A, [
      { chatId: 1, text: "1a" },
      { chatId: 2, text: "2a" },
      { chatId: 1, text: "1b" },
      { chatId: 2, text: "2b" },
      { chatId: 1, text: "1c" },
      { chatId: 2, text: "2c" },
    ]);
    await waitFor(dw.allAcked(6), "every update");
    expect(rx.received.filter((r) => chatOf(r) === 1).map(idOf)).toEqual([1, 1, 3, 5]);
    expect(rx.received.filter((r) => chatOf(r) === 2).map(idOf)).toEqual([2, 4, 6]);
    expect(rx.maxConcurrentPerChat).toBe(1);
    const ackedAt = new Map(dw.updates().map((u) => [u.updateId, u.acknowledgedAt ?? 0]));
    // Chat 2 went on while chat 1 waited for its retry.
    for (const id of [2, 4, 6]) expect(ackedAt.get(id)).toBeLessThanOrEqual(ackedAt.get(1) ?? 0);
    expect(ackedAt.get(1)).toBeLessThanOrEqual(ackedAt.get(3) ?? 0);
    expect(ackedAt.get(3)).toBeLessThanOrEqual(ackedAt.get(5) ?? 0);
  });

  test.each([
    [3, 3],
    [undefined, 8],
  ])("chats run in parallel up to max_connections (%j -> %i at once)", async (maxConnections, expected) => {
    const rx = await dw.receiver(async () => {
      await new Promise((r) => setTimeout(r, 200)); // long enough for every request to overlap
      return { status: 200 };
    });
    await dw.set({ url: rx.url(), max_connections: maxConnections });
    dw.emu.control.addUpdates(
      TOKEN_A,
      Array.from({ length: 8 }, (_, i) => ({ chatId: 100 + i, text: "x" })),
    );
    await waitFor(dw.allAcked(8), "every update");
    expect(rx.maxConcurrent).toBe(expected);
  });
});

describe("url changes", () => {
  test("in-flight requests to the old url are aborted and redelivered to the new url", async () => {
    const oldRx = await dw.receiver(() => ({ hang: true }));
    await dw.set({ url: oldRx.url("/telegram/blue") });
    dw.emu.control.addUpdates(TOKEN_A, [{ chatId: 1, text: "handover" }]);
    await waitFor(() => oldRx.received.length === 1, "the first delivery");
    const newRx = await dw.receiver();
    await dw.set({ url: newRx.url("/telegram/green") });
    await waitFor(dw.allAcked(1), "the redelivery");
    await waitFor(() => oldRx.received[0]?.aborted, "the old request to be aborted");
    expect(newRx.received.map((r) => r.body)).toEqual([oldRx.received[0]?.body]);
    expect(dw.updates()[0]).toMatchObject({ acknowledgedUrl: newRx.url("/telegram/green"), attempts: 2 });
    expect(dw.emu.control.getDeliveries(TOKEN_A).map((d) => [d.url, d.attempt, d.status, d.error])).toEqual([
      [oldRx.url("/telegram/blue"), 1, null, "Request aborted: webhook changed"],
      [newRx.url("/telegram/green"), 2, 200, null],
    ]);
  });

  test("pending updates survive a url change and keep their order", async () => {
    const oldRx = await dw.receiver(() => ({ status: 502, headers: { "Retry-After": "100000" } }));
    await dw.set({ url: oldRx.url() });
    dw.emu.control.addUpdates(TOKEN_A, [
      { chatId: 1, text: "a" },
      { chatId: 1, text: "b" },
      { chatId: 2, text: "c" },
      { chatId: 1, text: "d" },
    ]);
    await waitFor(() => oldRx.received.length === 2, "the first failures");
    const newRx = await dw.receiver();
    await dw.set({ url: newRx.url() });
    await waitFor(dw.allAcked(4), "every update");
    expect(newRx.received.filter((r) => chatOf(r) === 1).map(idOf)).toEqual([1, 2, 4]);
    expect(newRx.received.filter((r) => chatOf(r) === 2).map(idOf)).toEqual([3]);
  });

  test("drop_pending_updates on the change loses them", async () => {
    const oldRx = await dw.receiver(() => ({ status: 502, headers: { "Retry-After": "100000" } }));
    await dw.set({ url: oldRx.url() });
    dw.emu.control.addUpdates(TOKEN_A, [
      { chatId: 1, text: "a" },
      { chatId: 2, text: "b" },
    ]);
    await waitFor(() => oldRx.received.length === 2, "the first failures");
    const newRx = await dw.receiver();
    await dw.set({ url: newRx.url(), drop_pending_updates: true });
    dw.emu.control.addUpdates(TOKEN_A, [{ chatId: 1, text: "after" }]);
    await waitFor(() => newRx.received.length === 1, "the new update");
    expect(newRx.received.map(idOf)).toEqual([3]);
    expect(dw.updates().map((u) => [u.updateId, u.dropped])).toEqual([
      [1, true],
      [2, true],
      [3, false],
    ]);
  });
});
