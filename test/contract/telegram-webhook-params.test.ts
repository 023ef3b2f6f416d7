// Contract: setWebhook parameters: max_connections, secret_token, ip_address, certificate,
// allowed_updates, and the url rules of local and strict mode.
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { startTelegramEmulator, type TelegramEmulator } from "../../src/sandbox/telegram/index.js";
import { api, BOT_A, raw, TOKEN_A, webhookInfo } from "../helpers/telegram-harness.js";

let emu: TelegramEmulator;

// The real-time rate limit is turned off (setWebhookIntervalMs 0) so tests can set webhooks back
// to back; telegram-set-webhook.test.ts tests the limit itself.
beforeEach(async () => {
  emu = await startTelegramEmulator({ timeScale: 0.0001, setWebhookIntervalMs: 0, bots: [BOT_A] });
});
afterEach(async () => {
  await emu.stop();
});

const set = (params: Record<string, unknown>) => api(emu.url, TOKEN_A, "setWebhook", params);
const ok = (description: string) => ({ ok: true, result: true, description });
const bad = (text: string) => ({ ok: false, error_code: 400, description: `Bad Request: ${text}` });

describe("parameters", () => {
  test.each([
    [undefined, 40],
    [0, 1],
    [1, 1],
    [-5, 1],
    [17, 17],
    ["23", 23],
    [100, 100],
    [101, 100],
    [100000, 100],
  ])("max_connections %j is clamped to %i", async (value, expected) => {
    await set({ url: "http://127.0.0.1:5001/a", max_connections: value });
    expect((await webhookInfo(emu.url, TOKEN_A)).max_connections).toBe(expected);
  });

  test("secret_token: 0..256 chars of A-Za-z0-9_-", async () => {
    expect((await set({ url: "http://127.0.0.1:5001/a", secret_token: `${"aZ09_-".repeat(42)}abcd` })).body).toEqual(ok("Webhook was set"));
    expect((await set({ url: "http://127.0.0.1:5001/a", secret_token: "x".repeat(257) })).body).toEqual(bad("secret token is too long"));
    for (const s of ["has space", "semi;colon", "dot.ted", "ünï"]) {
      expect((await set({ url: "http://127.0.0.1:5001/a", secret_token: s })).body).toEqual(bad("secret token contains unallowed characters"));
    }
  });

  test("ip_address is shown by getWebhookInfo; an invalid or IPv6 one is refused as a bad webhook", async () => {
    await set({ url: "http://127.0.0.9:5001/a", ip_address: "127.0.0.1" });
    expect((await webhookInfo(emu.url, TOKEN_A)).ip_address).toBe("127.0.0.1");
    for (const ip of ["300.1.1.1", "not-an-ip", "1.2.3"]) {
      expect([ip, (await set({ url: "http://127.0.0.9:5001/a", ip_address: ip })).body]).toEqual([ip, bad("bad webhook: Invalid IP address specified")]);
    }
    for (const ip of ["::1", "2001:db8::1"]) {
      expect([ip, (await set({ url: "http://127.0.0.9:5001/a", ip_address: ip })).body]).toEqual([ip, bad("bad webhook: IPv6-only addresses are not allowed")]);
    }
  });

  test("certificate upload sets has_custom_certificate; a later set without it clears it", async () => {
    const form = new FormData();
    form.set("url", "http://127.0.0.1:5001/a");
    form.set("certificate", new Blob(["-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"]), "cert.pem");
    const a = await raw(`${emu.url}/bot${TOKEN_A}/setWebhook`, { method: "POST", body: form });
    expect(a.body).toEqual(ok("Webhook was set"));
    expect((await webhookInfo(emu.url, TOKEN_A)).has_custom_certificate).toBe(true);
    // Same url without the certificate is a change, not "already set".
    expect((await set({ url: "http://127.0.0.1:5001/a" })).body).toEqual(ok("Webhook was set"));
    expect((await webhookInfo(emu.url, TOKEN_A)).has_custom_certificate).toBe(false);
  });

  test("a certificate over 3 MiB is refused with its size", async () => {
    const upload = (size: number) => {
      const form = new FormData();
      form.set("url", "http://127.0.0.1:5001/a");
      form.set("certificate", new Blob([new Uint8Array(size)]), "cert.pem");
      return raw(`${emu.url}/bot${TOKEN_A}/setWebhook`, { method: "POST", body: form });
    };
    expect((await upload(3 * 1024 * 1024 + 1)).body).toEqual(bad("certificate size is too big (3145729 bytes)"));
    expect((await upload(3 * 1024 * 1024)).body).toEqual(ok("Webhook was set"));
  });
});

describe("allowed_updates", () => {
  const allowed = async () => (await webhookInfo(emu.url, TOKEN_A)).allowed_updates;

  test("omitted keeps the previous value, empty resets to the default set (field omitted)", async () => {
    expect(await allowed()).toBeUndefined();
    await set({ url: "http://127.0.0.1:5001/a", allowed_updates: ["callback_query", "message", "no_such_type"] });
    expect(await allowed()).toEqual(["message", "callback_query"]);
    await set({ url: "http://127.0.0.1:5001/b" });
    expect(await allowed()).toEqual(["message", "callback_query"]);
    await api(emu.url, TOKEN_A, "deleteWebhook");
    await set({ url: "http://127.0.0.1:5001/c" });
    expect(await allowed()).toEqual(["message", "callback_query"]);
    await set({ url: "http://127.0.0.1:5001/d", allowed_updates: [] });
    expect(await allowed()).toBeUndefined();
    expect((await webhookInfo(emu.url, TOKEN_A)).url).toBe("http://127.0.0.1:5001/d");
  });

  test("opt-in types are listed; a JSON string in a form works; text that is not JSON is ignored", async () => {
    await raw(`${emu.url}/bot${TOKEN_A}/setWebhook`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ url: "http://127.0.0.1:5001/a", allowed_updates: '["chat_member","message"]' }),
    });
    expect(await allowed()).toEqual(["message", "chat_member"]);
    // Not JSON: the webhook is set and the previous allowed_updates kept, as the real server only logs it.
    for (const text of ["message", "[message", "{"]) {
      expect([text, (await set({ url: `http://127.0.0.1:5001/${text.length}`, allowed_updates: text })).body]).toEqual([text, ok("Webhook was set")]);
      expect(await allowed()).toEqual(["message", "chat_member"]);
    }
    expect((await set({ url: "http://127.0.0.1:5001/b", allowed_updates: [1] })).body).toEqual(bad("Expected an Array of String as allowed_updates"));
  });

  test("updates of a type not allowed are never queued", async () => {
    await set({ url: "http://127.0.0.1:9/a", allowed_updates: ["callback_query"] });
    await api(emu.url, TOKEN_A, "deleteWebhook");
    const { updateIds } = emu.control.addUpdates(TOKEN_A, [{ chatId: 1, text: "ignored" }]);
    expect((await webhookInfo(emu.url, TOKEN_A)).pending_update_count).toBe(0);
    expect(emu.control.getUpdates(TOKEN_A).find((u) => u.updateId === updateIds[0])?.dropped).toBe(true);
  });
});

describe("url rules", () => {
  const https = bad("bad webhook: An HTTPS URL must be provided for webhook");
  const ports = bad("bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443");
  const invalid = bad("invalid webhook URL specified");

  test("local mode: loopback http on any port; other hosts follow the strict rules", async () => {
    for (const url of [
      "http://127.0.0.1:5001/telegram/blue",
      "http://127.0.1.2:65000/x",
      "http://localhost:1/x",
      "https://127.0.0.1:9443/x",
      "https://example.com:8443/x",
    ]) {
      expect([url, (await set({ url })).body]).toEqual([url, ok("Webhook was set")]);
    }
    expect((await set({ url: "http://example.com/x" })).body).toEqual(https);
    expect((await set({ url: "https://example.com:9000/x" })).body).toEqual(ports);
    expect((await set({ url: "http://128.0.0.1:5001/x" })).body).toEqual(https);
  });

  describe("strict mode", () => {
    let strict: TelegramEmulator;
    beforeEach(async () => {
      strict = await startTelegramEmulator({ mode: "strict", timeScale: 0.0001, setWebhookIntervalMs: 0, bots: [BOT_A] });
    });
    afterEach(async () => {
      await strict.stop();
    });
    const sset = (url: string) => api(strict.url, TOKEN_A, "setWebhook", { url });

    test("https only, ports 80, 88, 443, 8443", async () => {
      for (const url of [
        "https://bot.example.com/hook",
        "https://bot.example.com:443/a",
        "https://bot.example.com:80/a",
        "https://bot.example.com:88/a",
        "https://bot.example.com:8443/a",
      ]) {
        expect([url, (await sset(url)).body]).toEqual([url, ok("Webhook was set")]);
      }
      expect((await sset("http://bot.example.com/hook")).body).toEqual(https);
      expect((await sset("http://127.0.0.1:5001/hook")).body).toEqual(https);
      expect((await sset("https://bot.example.com:8080/hook")).body).toEqual(ports);
      expect((await sset("https://127.0.0.1:5001/hook")).body).toEqual(ports);
    });

    test("a url without a scheme is taken as https", async () => {
      expect((await sset("bot.example.com/hook")).body).toEqual(ok("Webhook was set"));
      expect((await webhookInfo(strict.url, TOKEN_A)).url).toBe("bot.example.com/hook");
      expect((await sset("bot.example.com:8443/hook")).body).toEqual(ok("Webhook was set"));
      expect((await sset("bot.example.com:8080/hook")).body).toEqual(ports);
      // So a bare loopback address is not an http url: strict mode refuses its port.
      expect((await sset("127.0.0.1:5001/hook")).body).toEqual(ports);
    });

    test("an unparseable url", async () => {
      for (const url of ["https://", "not a url", "ftp://bot.example.com/x", "https://exa mple.com/"]) {
        const a = await sset(url);
        expect([url, a.status, a.body]).toEqual([url, 400, invalid]);
      }
      expect((await webhookInfo(strict.url, TOKEN_A)).url).toBe("");
    });
  });
});
