// Contract: our Telegram adapter (src/adapters/telegram.ts) against the emulator over HTTP, on the
// paths a release meets: the real one-setWebhook-per-second limit (429, waited out by retry_after)
// and a refused setWebhook, after which Telegram has no webhook at all.
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { TelegramApiError, TelegramClient } from "../../src/adapters/telegram.js";
import { startTelegramEmulator, type TelegramEmulator } from "../../src/sandbox/telegram/index.js";
import { BOT_A, TOKEN_A, webhookInfo } from "../helpers/telegram-harness.js";

let emu: TelegramEmulator;
let client: TelegramClient;
// The sandbox's time scale with the emulator's default, real-time rate limit.
beforeAll(async () => {
  emu = await startTelegramEmulator({ timeScale: 0.1, bots: [BOT_A] });
  client = new TelegramClient({ apiBase: emu.url, token: TOKEN_A, timeoutMs: 5000 });
});
afterAll(async () => {
  await emu.stop();
});
beforeEach(() => {
  emu.control.clearFaults();
});

/**
 * The statuses of `method`'s calls recorded after `mark()` was taken. By position in the emulator's
 * append-only call list, not by time: a call answered in the same millisecond as a Date.now() taken
 * after it would count as "after" (a clean-clone run saw the previous getWebhookInfo's 200 that way).
 */
const mark = () => emu.control.getCalls().length;
const statusesAfter = (from: number, method: string) =>
  emu.control
    .getCalls()
    .slice(from)
    .filter((c) => c.method === method)
    .map((c) => c.status);

describe("the adapter on Telegram's refusals", () => {
  test("a second setWebhook within a second meets a 429 and waits its retry_after out", async () => {
    const from = mark();
    await client.setWebhook({ url: "http://127.0.0.1:5001/telegram/blue" });
    const started = performance.now();
    await client.setWebhook({ url: "http://127.0.0.1:5001/telegram/green" });
    expect(performance.now() - started).toBeGreaterThanOrEqual(900);
    expect(statusesAfter(from, "setWebhook")).toEqual([200, 429, 200]);
    expect((await client.getWebhookInfo()).url).toBe("http://127.0.0.1:5001/telegram/green");
  });

  test("a refused setWebhook is not retried, and leaves no webhook: the caller must set one again", async () => {
    emu.control.addFault({ method: "setwebhook", kind: "status", status: 400, description: "Bad Request: bad webhook: Failed to resolve host", times: 1 });
    const from = mark();
    const refused = await client.setWebhook({ url: "http://127.0.0.1:5001/telegram/blue" }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(TelegramApiError);
    expect((refused as TelegramApiError).errorCode).toBe(400);
    expect(statusesAfter(from, "setWebhook")).toEqual([400]);
    expect((await webhookInfo(emu.url, TOKEN_A)).url).toBe("");
    // Within a second of the last set that Telegram ran: a 429 first, waited out.
    await client.setWebhook({ url: "http://127.0.0.1:5001/telegram/green" });
    expect((await client.getWebhookInfo()).url).toBe("http://127.0.0.1:5001/telegram/green");
  });
});

// The adapter speaks HTTP itself (node:http, not fetch): bodies, errors and aborts as fetch gave them.
describe("the adapter's transport", () => {
  const PEM = "-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n";

  test("a setWebhook with a certificate goes as multipart, with its other parameters", async () => {
    await client.setWebhook({ url: "http://127.0.0.1:5001/telegram/cert", certificatePem: PEM, secretToken: "TEST-secret-cert", maxConnections: 7 });
    const info = await client.getWebhookInfo();
    expect(info).toMatchObject({ url: "http://127.0.0.1:5001/telegram/cert", hasCustomCertificate: true, maxConnections: 7 });
    const set = emu.control.getCalls().filter((c) => c.method === "setWebhook" && c.status === 200);
    expect(set.length).toBeGreaterThan(0);
  });

  test("a dropped connection is retried; the answer after it is returned", async () => {
    const expected = (await webhookInfo(emu.url, TOKEN_A)).url;
    emu.control.addFault({ method: "getwebhookinfo", kind: "drop", times: 1 });
    const from = mark();
    expect((await client.getWebhookInfo()).url).toBe(expected);
    expect(statusesAfter(from, "getWebhookInfo")).toEqual([null, 200]);
  });

  test("an answer slower than timeoutMs is aborted and retried; after the retries the error names the timeout, never the token", async () => {
    emu.control.addFault({ method: "getme", kind: "latency", latencyMs: 2000, times: 4 });
    const slow = new TelegramClient({ apiBase: emu.url, token: TOKEN_A, timeoutMs: 100 });
    const e = (await slow.getMe().catch((x: unknown) => x)) as Error;
    expect(e.message).toBe("Telegram getMe: request failed: The operation was aborted due to timeout");
  });

  test("a refused connection says so, with the token redacted", async () => {
    const closed = new TelegramClient({ apiBase: "http://127.0.0.1:1", token: TOKEN_A, timeoutMs: 1000, sleep: async () => undefined });
    const e = (await closed.getMe().catch((x: unknown) => x)) as Error;
    expect(e.message).toBe("Telegram getMe: request failed: connect ECONNREFUSED 127.0.0.1:1");
    expect(e.message).not.toContain(TOKEN_A);
  });

  test("the caller's deadline ends the call and its retries", async () => {
    emu.control.addFault({ method: "getwebhookinfo", kind: "latency", latencyMs: 3000, times: 1 });
    const started = performance.now();
    const e = (await client.getWebhookInfo({ signal: AbortSignal.timeout(200) }).catch((x: unknown) => x)) as Error;
    expect(e.message).toBe("Telegram getWebhookInfo: no answer before the deadline");
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
