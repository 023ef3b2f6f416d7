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

const setCalls = (since: number) =>
  emu.control
    .getCalls()
    .filter((c) => c.method === "setWebhook" && c.at >= since)
    .map((c) => c.status);

describe("the adapter on Telegram's refusals", () => {
  test("a second setWebhook within a second meets a 429 and waits its retry_after out", async () => {
    const since = Date.now();
    await client.setWebhook({ url: "http://127.0.0.1:5001/telegram/blue" });
    const started = performance.now();
    await client.setWebhook({ url: "http://127.0.0.1:5001/telegram/green" });
    expect(performance.now() - started).toBeGreaterThanOrEqual(900);
    expect(setCalls(since)).toEqual([200, 429, 200]);
    expect((await client.getWebhookInfo()).url).toBe("http://127.0.0.1:5001/telegram/green");
  });

  test("a refused setWebhook is not retried, and leaves no webhook: the caller must set one again", async () => {
    emu.control.addFault({ method: "setwebhook", kind: "status", status: 400, description: "Bad Request: bad webhook: Failed to resolve host", times: 1 });
    const since = Date.now();
    const refused = await client.setWebhook({ url: "http://127.0.0.1:5001/telegram/blue" }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(TelegramApiError);
    expect((refused as TelegramApiError).errorCode).toBe(400);
    expect(setCalls(since)).toEqual([400]);
    expect((await webhookInfo(emu.url, TOKEN_A)).url).toBe("");
    // Within a second of the last set that Telegram ran: a 429 first, waited out.
    await client.setWebhook({ url: "http://127.0.0.1:5001/telegram/green" });
    expect((await client.getWebhookInfo()).url).toBe("http://127.0.0.1:5001/telegram/green");
  });
});
