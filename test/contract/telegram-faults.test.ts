// Contract: injected Bot API faults (POST/DELETE /_control/faults): error envelopes, latency,
// dropped connections, counts, and when a fault starts (armedBy).
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { startTelegramEmulator, type TelegramEmulator } from "../../src/sandbox/telegram/index.js";
import { api, BOT_A, ctl, TOKEN_A, webhookInfo } from "../helpers/telegram-harness.js";

let emu: TelegramEmulator;

beforeEach(async () => {
  emu = await startTelegramEmulator({ timeScale: 0.0001, bots: [BOT_A] });
});
afterEach(async () => {
  await emu.stop();
});

const fault = (spec: Record<string, unknown>) => ctl(emu.url, "POST", "faults", spec);

describe("status faults", () => {
  test("429 with retry_after and Retry-After, for a number of calls, without running the method", async () => {
    const added = await fault({ method: "sendmessage", kind: "status", status: 429, retryAfter: 5, times: 1 });
    expect(added.status).toBe(200);
    expect(added.body).toEqual({ faultId: "fault-1" });
    const limited = await api(emu.url, TOKEN_A, "sendMessage", { chat_id: 1, text: "x" });
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("5");
    expect(limited.body).toEqual({
      ok: false,
      error_code: 429,
      description: "Too Many Requests: retry after 5",
      parameters: { retry_after: 5 },
    });
    expect(emu.control.getMessages(TOKEN_A)).toEqual([]);
    const next = await api(emu.url, TOKEN_A, "sendMessage", { chat_id: 1, text: "x" });
    expect(next.status).toBe(200);
    expect(emu.control.getMessages(TOKEN_A)).toHaveLength(1);
  });

  test('"*" hits every method until cleared; 500 reads Internal Server Error', async () => {
    await fault({ method: "*", kind: "status", status: 500 });
    for (const method of ["getMe", "setWebhook", "getWebhookInfo"]) {
      const a = await api(emu.url, TOKEN_A, method, { url: "http://127.0.0.1:5001/a" });
      expect([method, a.status, a.body]).toEqual([method, 500, { ok: false, error_code: 500, description: "Internal Server Error" }]);
    }
    expect((await ctl(emu.url, "DELETE", "faults")).body).toEqual({ ok: true });
    // The faulted setWebhook changed nothing.
    expect((await webhookInfo(emu.url, TOKEN_A)).url).toBe("");
    expect(emu.control.getCalls().map((c) => c.status)).toEqual([500, 500, 500, 200]);
  });

  test("a 400 on setWebhook first closes the old webhook, as a refused real setWebhook does; other codes change nothing", async () => {
    expect((await api(emu.url, TOKEN_A, "setWebhook", { url: "http://127.0.0.1:5001/a" })).status).toBe(200);
    await fault({ method: "setWebhook", kind: "status", status: 429, times: 1 });
    expect((await api(emu.url, TOKEN_A, "setWebhook", { url: "http://127.0.0.1:5001/b" })).status).toBe(429);
    expect((await webhookInfo(emu.url, TOKEN_A)).url).toBe("http://127.0.0.1:5001/a");
    await fault({ method: "setwebhook", kind: "status", status: 400, description: "Bad Request: bad webhook: Failed to resolve host", times: 1 });
    const refused = await api(emu.url, TOKEN_A, "setWebhook", { url: "http://127.0.0.1:5001/b" });
    expect(refused.body).toEqual({ ok: false, error_code: 400, description: "Bad Request: bad webhook: Failed to resolve host" });
    expect(await webhookInfo(emu.url, TOKEN_A)).toEqual({ url: "", has_custom_certificate: false, pending_update_count: 0 });
  });

  test("a custom description; method names match case-insensitively", async () => {
    await fault({ method: "getWebhookInfo", kind: "status", status: 502, description: "Bad Gateway", times: 2 });
    const a = await api(emu.url, TOKEN_A, "getwebhookinfo");
    expect(a.body).toEqual({ ok: false, error_code: 502, description: "Bad Gateway" });
    expect((await api(emu.url, TOKEN_A, "GETWEBHOOKINFO")).status).toBe(502);
    expect((await api(emu.url, TOKEN_A, "getWebhookInfo")).status).toBe(200);
    expect((await api(emu.url, TOKEN_A, "getMe")).status).toBe(200);
  });
});

describe("when a fault starts", () => {
  test("armedBy: dormant until a call of that method, which itself passes", async () => {
    await fault({ method: "getwebhookinfo", kind: "status", status: 429, retryAfter: 1, times: 1, armedBy: "deleteWebhook" });
    expect((await api(emu.url, TOKEN_A, "getWebhookInfo")).status).toBe(200);
    expect((await api(emu.url, TOKEN_A, "deleteWebhook")).status).toBe(200);
    expect((await api(emu.url, TOKEN_A, "getWebhookInfo")).status).toBe(429);
    expect((await api(emu.url, TOKEN_A, "getWebhookInfo")).status).toBe(200);
  });
});

describe("drop and latency", () => {
  test("drop destroys the connection without an answer", async () => {
    await fault({ method: "getme", kind: "drop", times: 2 });
    await expect(api(emu.url, TOKEN_A, "getMe")).rejects.toThrow();
    await expect(api(emu.url, TOKEN_A, "getMe")).rejects.toThrow();
    expect((await api(emu.url, TOKEN_A, "getMe")).status).toBe(200);
    expect(emu.control.getCalls().map((c) => [c.method, c.status])).toEqual([
      ["getMe", null],
      ["getMe", null],
      ["getMe", 200],
    ]);
  });

  test("latency delays, then answers normally", async () => {
    await fault({ method: "getme", kind: "latency", latencyMs: 150, times: 1 });
    const started = Date.now();
    const a = await api(emu.url, TOKEN_A, "getMe");
    expect(Date.now() - started).toBeGreaterThanOrEqual(145);
    expect(a.body.ok).toBe(true);
  });
});

describe("validation", () => {
  test.each([
    [{ method: "getme", kind: "boom" }, 'kind must be "status", "latency" or "drop"'],
    [{ method: "getme", kind: "status" }, "status must be an integer 400..599"],
    [{ method: "getme", kind: "latency" }, "latencyMs must be a number >= 0"],
    [{ kind: "drop" }, "method must be a non-empty string"],
    [{ method: "getme", kind: "drop", times: 0 }, "times must be an integer >= 1"],
    [{ method: "getme", kind: "drop", armedBy: "" }, "armedBy must be a non-empty method name"],
  ])("%j -> 400 %j", async (spec, error) => {
    const a = await fault(spec);
    expect(a.status).toBe(400);
    expect(a.body).toEqual({ error });
  });
});
