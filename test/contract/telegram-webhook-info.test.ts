// Contract: getWebhookInfo fields, pending_update_count, and the persistence of the last error.
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { startTelegramEmulator, type TelegramEmulator } from "../../src/sandbox/telegram/index.js";
import { api, BOT_A, TOKEN_A, waitFor, webhookInfo } from "../helpers/telegram-harness.js";
import { deferred, type Receiver, type Reply, startReceiver } from "../helpers/telegram-receiver.js";

let emu: TelegramEmulator;
const receivers: Receiver[] = [];

async function receiver(reply?: (r: import("../helpers/telegram-receiver.js").Received) => Reply | Promise<Reply>) {
  const r = await startReceiver(reply);
  receivers.push(r);
  return r;
}

// The real-time setWebhook rate limit is off here (tested in telegram-set-webhook.test.ts).
beforeEach(async () => {
  emu = await startTelegramEmulator({ timeScale: 0.0001, deliveryTimeoutMs: 5000, setWebhookIntervalMs: 0, bots: [BOT_A] });
});
afterEach(async () => {
  await emu.stop();
  await Promise.all(receivers.splice(0).map((r) => r.stop()));
});

const set = (params: Record<string, unknown>) => api(emu.url, TOKEN_A, "setWebhook", params);
const lastError = async () => {
  const info = await webhookInfo(emu.url, TOKEN_A);
  return { date: info.last_error_date as number | undefined, message: info.last_error_message as string | undefined };
};

describe("fields", () => {
  test("without a webhook: url is empty and optional fields are omitted", async () => {
    const a = await api(emu.url, TOKEN_A, "getWebhookInfo");
    expect(a.body).toEqual({ ok: true, result: { url: "", has_custom_certificate: false, pending_update_count: 0 } });
  });

  test("with a webhook: max_connections and ip_address appear, in the real order", async () => {
    await set({ url: "http://127.0.0.1:5001/telegram/blue", max_connections: 7, allowed_updates: ["message"] });
    const info = await webhookInfo(emu.url, TOKEN_A);
    expect(info).toEqual({
      url: "http://127.0.0.1:5001/telegram/blue",
      has_custom_certificate: false,
      pending_update_count: 0,
      max_connections: 7,
      ip_address: "127.0.0.1",
      allowed_updates: ["message"],
    });
    expect(Object.keys(info)).toEqual(["url", "has_custom_certificate", "pending_update_count", "max_connections", "ip_address", "allowed_updates"]);
    await set({ url: "http://localhost:5001/x" });
    expect((await webhookInfo(emu.url, TOKEN_A)).ip_address).toBe("127.0.0.1");
  });

  test("ip_address is there whenever a url is set, a host name included (a stable address, no DNS)", async () => {
    for (const url of ["https://bot.example.com/hook", "bot.example.org:8443/x", "https://[::1]:9443/x"]) {
      await set({ url });
      const first = (await webhookInfo(emu.url, TOKEN_A)).ip_address;
      expect([url, first]).toEqual([url, expect.stringMatching(/^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/)]);
      await api(emu.url, TOKEN_A, "deleteWebhook");
      await set({ url });
      expect((await webhookInfo(emu.url, TOKEN_A)).ip_address).toBe(first);
    }
    await set({ url: "https://bot.example.com/hook", ip_address: "10.1.2.3" });
    expect((await webhookInfo(emu.url, TOKEN_A)).ip_address).toBe("10.1.2.3");
  });

  test("after deleteWebhook the webhook fields are gone", async () => {
    await set({ url: "http://127.0.0.1:5001/a" });
    await api(emu.url, TOKEN_A, "deleteWebhook");
    expect(await webhookInfo(emu.url, TOKEN_A)).toEqual({ url: "", has_custom_certificate: false, pending_update_count: 0 });
  });
});

describe("pending_update_count", () => {
  test("counts queued, in-flight and waiting-to-retry updates", async () => {
    const hold = deferred();
    const rx = await receiver(async (r) => {
      const chat = r.json.message.chat.id as number;
      if (chat === 1) {
        await hold.promise; // chat 1: in flight until released
        return { status: 200 };
      }
      return { status: 503, headers: { "Retry-After": "100000" } }; // chat 2: waits to retry
    });
    await set({ url: rx.url() });
    emu.control.addUpdates(TOKEN_A, [
      { chatId: 1, text: "in flight" },
      { chatId: 1, text: "queued behind it" },
      { chatId: 2, text: "retrying" },
    ]);
    await waitFor(() => rx.received.length === 2, "one request per chat");
    await waitFor(async () => (await lastError()).message, "the failure of chat 2");
    expect((await webhookInfo(emu.url, TOKEN_A)).pending_update_count).toBe(3);
    hold.resolve();
    await waitFor(async () => (await webhookInfo(emu.url, TOKEN_A)).pending_update_count === 1, "chat 1 to drain");
  });
});

describe("last error", () => {
  test("set on a failure, kept after later successes, cleared only by set/deleteWebhook", async () => {
    let failures = 1;
    const rx = await receiver(() => (failures-- > 0 ? { status: 502 } : { status: 200 }));
    await set({ url: rx.url() });
    const t0 = Math.floor(Date.now() / 1000);
    emu.control.addUpdates(TOKEN_A, [{ chatId: 1, text: "x" }]);
    await waitFor(() => emu.control.getUpdates(TOKEN_A)[0]?.acknowledged, "the retry to succeed");
    const t1 = Math.ceil(Date.now() / 1000);

    const after = await lastError();
    expect(after.message).toBe("Wrong response from the webhook: 502 Bad Gateway");
    expect(after.date).toBeGreaterThanOrEqual(t0);
    expect(after.date).toBeLessThanOrEqual(t1);

    // Another success does not clear it.
    emu.control.addUpdates(TOKEN_A, [{ chatId: 1, text: "y" }]);
    await waitFor(() => emu.control.getUpdates(TOKEN_A)[1]?.acknowledged, "the second update");
    expect(await lastError()).toEqual(after);

    // A new setWebhook clears it.
    await set({ url: rx.url("/other") });
    expect(await lastError()).toEqual({ date: undefined, message: undefined });
  });

  test("deleteWebhook clears it", async () => {
    const rx = await receiver(() => ({ status: 500, headers: { "Retry-After": "100000" } }));
    await set({ url: rx.url() });
    emu.control.addUpdates(TOKEN_A, [{ chatId: 1, text: "x" }]);
    expect(await waitFor(async () => (await lastError()).message, "an error")).toBe("Wrong response from the webhook: 500 Internal Server Error");
    await api(emu.url, TOKEN_A, "deleteWebhook");
    expect(await lastError()).toEqual({ date: undefined, message: undefined });
  });

  test.each([
    [404, "Wrong response from the webhook: 404 Not Found"],
    [429, "Wrong response from the webhook: 429 Too Many Requests"],
    [301, "Wrong response from the webhook: 301 Moved Permanently"],
    [504, "Wrong response from the webhook: 504 Gateway Timeout"],
  ])("status %i reads %j", async (status, text) => {
    const rx = await receiver(() => ({ status, headers: { "Retry-After": "100000" } }));
    await set({ url: rx.url() });
    emu.control.addUpdates(TOKEN_A, [{ chatId: 1, text: "x" }]);
    expect(await waitFor(async () => (await lastError()).message, "an error")).toBe(text);
  });

  test("a refused connection reads Connection refused", async () => {
    const gone = await startReceiver();
    const url = gone.url();
    await gone.stop();
    await set({ url });
    emu.control.addUpdates(TOKEN_A, [{ chatId: 1, text: "x" }]);
    expect(await waitFor(async () => (await lastError()).message, "an error")).toBe("Connection refused");
  });
});

describe("read timeout", () => {
  let slow: TelegramEmulator;
  beforeEach(async () => {
    slow = await startTelegramEmulator({ timeScale: 0.0001, deliveryTimeoutMs: 200, setWebhookIntervalMs: 0, bots: [BOT_A] });
  });
  afterEach(async () => {
    await slow.stop();
  });

  test("a webhook that does not answer in time reads Read timeout expired", async () => {
    const rx = await receiver(() => ({ hang: true }));
    await api(slow.url, TOKEN_A, "setWebhook", { url: rx.url() });
    slow.control.addUpdates(TOKEN_A, [{ chatId: 1, text: "x" }]);
    const message = await waitFor(async () => (await webhookInfo(slow.url, TOKEN_A)).last_error_message, "timeout");
    expect(message).toBe("Read timeout expired");
    const d = slow.control.getDeliveries(TOKEN_A)[0];
    expect(d).toMatchObject({ updateId: 1, status: null, error: "Read timeout expired", attempt: 1 });
    expect((d?.finishedAt ?? 0) - (d?.startedAt ?? 0)).toBeGreaterThanOrEqual(195);
  });
});
