// Contract: setWebhook / deleteWebhook rules and their order of events.
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { startTelegramEmulator, type TelegramEmulator } from "../../src/sandbox/telegram/index.js";
import { api, BOT_A, TOKEN_A, waitFor, webhookInfo } from "../helpers/telegram-harness.js";
import { type Receiver, startReceiver } from "../helpers/telegram-receiver.js";

let emu: TelegramEmulator;
const receivers: Receiver[] = [];

async function receiver(...args: Parameters<typeof startReceiver>): Promise<Receiver> {
  const r = await startReceiver(...args);
  receivers.push(r);
  return r;
}

// The rate limit is real time at every scale, so the tests of the other rules turn it off
// (setWebhookIntervalMs 0) to set webhooks back to back; "1. rate limit" keeps it. At a scale of
// 1e-4 an update still lives 8.6 s. Deliveries here never time out on their own.
beforeEach(async () => {
  emu = await startTelegramEmulator({ timeScale: 0.0001, deliveryTimeoutMs: 5000, setWebhookIntervalMs: 0, bots: [BOT_A] });
});
afterEach(async () => {
  await emu.stop();
  await Promise.all(receivers.splice(0).map((r) => r.stop()));
});

const set = (params: Record<string, unknown>) => api(emu.url, TOKEN_A, "setWebhook", params);
const ok = (description: string) => ({ ok: true, result: true, description });
const bad = (text: string) => ({ ok: false, error_code: 400, description: `Bad Request: ${text}` });

describe("descriptions", () => {
  test("set, already set, deleted, already deleted", async () => {
    expect((await set({ url: "http://127.0.0.1:5001/telegram/blue" })).body).toEqual(ok("Webhook was set"));
    expect((await set({ url: "http://127.0.0.1:5001/telegram/blue" })).body).toEqual(ok("Webhook is already set"));
    expect((await api(emu.url, TOKEN_A, "deleteWebhook")).body).toEqual(ok("Webhook was deleted"));
    expect((await api(emu.url, TOKEN_A, "deleteWebhook")).body).toEqual(ok("Webhook is already deleted"));
  });

  test("setWebhook with an empty url is deleteWebhook", async () => {
    await set({ url: "http://127.0.0.1:5001/a" });
    expect((await set({ url: "" })).body).toEqual(ok("Webhook was deleted"));
    expect((await set({})).body).toEqual(ok("Webhook is already deleted"));
    expect((await webhookInfo(emu.url, TOKEN_A)).url).toBe("");
  });
});

describe("1. rate limit: one setWebhook per second per bot, in real time at every time scale", () => {
  // The emulator's default limit (1000 real ms), at the sandbox's scale 0.1 and at a tiny one.
  let limited: TelegramEmulator;
  beforeEach(async () => {
    limited = await startTelegramEmulator({ timeScale: 0.1, bots: [BOT_A] });
  });
  afterEach(async () => {
    await limited.stop();
  });
  const lset = (params: Record<string, unknown>) => api(limited.url, TOKEN_A, "setWebhook", params);

  test("a faster call gets 429 with retry_after and Retry-After, and changes nothing", async () => {
    expect((await lset({ url: "http://127.0.0.1:5001/a" })).body).toEqual(ok("Webhook was set"));
    const refused = await lset({ url: "http://127.0.0.1:5002/b" });
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("1");
    expect(refused.body).toEqual({
      ok: false,
      error_code: 429,
      description: "Too Many Requests: retry after 1",
      parameters: { retry_after: 1 },
    });
    expect((await webhookInfo(limited.url, TOKEN_A)).url).toBe("http://127.0.0.1:5001/a");
    // The limit comes before "already set".
    expect((await lset({ url: "http://127.0.0.1:5001/a" })).status).toBe(429);
    // deleteWebhook is never limited, and does not lift the limit.
    expect((await api(limited.url, TOKEN_A, "deleteWebhook")).body).toEqual(ok("Webhook was deleted"));
    expect((await api(limited.url, TOKEN_A, "deleteWebhook")).body).toEqual(ok("Webhook is already deleted"));
    expect((await lset({ url: "http://127.0.0.1:5002/b" })).status).toBe(429);
    // A tiny time scale does not shorten it either.
    limited.control.setTimeScale(0.000001);
    expect((await lset({ url: "http://127.0.0.1:5002/b" })).status).toBe(429);
  });

  test("the window is one real second, whatever the time scale", async () => {
    limited.control.setTimeScale(0.0001);
    const start = performance.now(); // before the first call, so the window cannot look shorter
    expect((await lset({ url: "http://127.0.0.1:5001/a" })).status).toBe(200);
    const passed = await waitFor(async () => {
      const a = await lset({ url: "http://127.0.0.1:5002/b" });
      return a.status === 200 ? performance.now() : a.status === 429 ? undefined : -1;
    }, "the rate-limit window to end");
    expect(passed - start).toBeGreaterThanOrEqual(1000);
    expect(passed - start).toBeLessThan(5000);
  });
});

describe("2. nothing changes: Webhook is already set", () => {
  test("any change of url, secret, max_connections, ip or drop_pending_updates sets it again", async () => {
    const base = { url: "http://127.0.0.1:5001/a", secret_token: "s1", max_connections: 10 };
    expect((await set(base)).body.description).toBe("Webhook was set");
    expect((await set(base)).body.description).toBe("Webhook is already set");
    expect((await set({ ...base, url: "http://127.0.0.1:5001/b" })).body.description).toBe("Webhook was set");
    expect((await set({ ...base, url: "http://127.0.0.1:5001/b", secret_token: "s2" })).body.description).toBe("Webhook was set");
    const b2 = { ...base, url: "http://127.0.0.1:5001/b", secret_token: "s2" };
    expect((await set({ ...b2, max_connections: 11 })).body.description).toBe("Webhook was set");
    expect((await set({ ...b2, max_connections: 11, ip_address: "127.0.0.1" })).body.description).toBe("Webhook was set");
    const b3 = { ...b2, max_connections: 11, ip_address: "127.0.0.1" };
    expect((await set(b3)).body.description).toBe("Webhook is already set");
    expect((await set({ ...b3, drop_pending_updates: true })).body.description).toBe("Webhook was set");
    // Omitting max_connections means the default 40, which is a change.
    expect((await set({ ...b3, max_connections: undefined })).body.description).toBe("Webhook was set");
  });

  test("allowed_updates may still be updated", async () => {
    await set({ url: "http://127.0.0.1:5001/a", allowed_updates: ["message"] });
    const again = await set({ url: "http://127.0.0.1:5001/a", allowed_updates: ["callback_query"] });
    expect(again.body.description).toBe("Webhook is already set");
    expect((await webhookInfo(emu.url, TOKEN_A)).allowed_updates).toEqual(["callback_query"]);
  });

  test("already set keeps the last delivery error and the requests in flight", async () => {
    const rx = await receiver(() => ({ status: 502 }));
    await set({ url: rx.url() });
    emu.control.addUpdates(TOKEN_A, [{ chatId: 1, text: "x" }]);
    await waitFor(async () => (await webhookInfo(emu.url, TOKEN_A)).last_error_message, "a delivery error");
    expect((await set({ url: rx.url() })).body.description).toBe("Webhook is already set");
    expect((await webhookInfo(emu.url, TOKEN_A)).last_error_message).toBe("Wrong response from the webhook: 502 Bad Gateway");
  });
});

describe("3. a pending getUpdates long poll ends", () => {
  test("with 409 terminated by setWebhook request", async () => {
    emu.control.setTimeScale(1);
    const poll = api(emu.url, TOKEN_A, "getUpdates", { timeout: 10 });
    await waitFor(() => emu.control.getCalls().some((c) => c.method === "getUpdates" && c.status === null), "the poll");
    expect((await set({ url: "http://127.0.0.1:5001/a" })).body).toEqual(ok("Webhook was set"));
    const ended = await poll;
    expect(ended.status).toBe(409);
    expect(ended.body).toEqual({ ok: false, error_code: 409, description: "Conflict: terminated by setWebhook request" });
  });
});

describe("4. the old webhook is closed before the url is validated", () => {
  test("a url that fails validation leaves no webhook, and aborts the old one's requests", async () => {
    const old = await receiver(() => ({ hang: true }));
    await set({ url: old.url(), secret_token: "s" });
    emu.control.addUpdates(TOKEN_A, [{ chatId: 1, text: "in flight" }]);
    await waitFor(() => old.received.length === 1, "the delivery to the old url");

    const failed = await set({ url: "http://example.com/hook" });
    expect(failed.status).toBe(400);
    expect(failed.body).toEqual(bad("bad webhook: An HTTPS URL must be provided for webhook"));
    expect(await webhookInfo(emu.url, TOKEN_A)).toEqual({ url: "", has_custom_certificate: false, pending_update_count: 1 });
    await waitFor(() => old.received[0]?.aborted, "the old request to be aborted");

    // Nothing is delivered until a webhook is set again; then the update goes to the new one.
    const next = await receiver();
    await set({ url: next.url() });
    await waitFor(() => next.received.length === 1, "delivery to the new url");
    expect(emu.control.getDeliveries(TOKEN_A).map((d) => d.url)).toEqual([old.url(), next.url()]);
  });

  test("drop_pending_updates drops the queue even when the url then fails validation", async () => {
    emu.control.addUpdates(TOKEN_A, [
      { chatId: 1, text: "a" },
      { chatId: 2, text: "b" },
    ]);
    const failed = await set({ url: "ftp://127.0.0.1/x", drop_pending_updates: true });
    expect(failed.body).toEqual(bad("invalid webhook URL specified"));
    expect((await webhookInfo(emu.url, TOKEN_A)).pending_update_count).toBe(0);
    expect(emu.control.getUpdates(TOKEN_A).map((u) => [u.updateId, u.dropped, u.acknowledged])).toEqual([
      [1, true, false],
      [2, true, false],
    ]);
  });

  test("a refused secret_token or ip_address also leaves no webhook: they are checked after the close", async () => {
    for (const [param, refusal] of [
      [{ secret_token: "x".repeat(257) }, bad("secret token is too long")],
      [{ secret_token: "semi;colon" }, bad("secret token contains unallowed characters")],
      [{ ip_address: "300.1.1.1" }, bad("bad webhook: Invalid IP address specified")],
      [{ ip_address: "::1" }, bad("bad webhook: IPv6-only addresses are not allowed")],
    ] as const) {
      expect((await set({ url: "http://127.0.0.1:5001/a", secret_token: "keep" })).body).toEqual(ok("Webhook was set"));
      const refused = await set({ url: "http://127.0.0.1:5001/b", ...param });
      expect([param, refused.status, refused.body]).toEqual([param, 400, refusal]);
      expect((await webhookInfo(emu.url, TOKEN_A)).url).toBe("");
    }
  });
});
