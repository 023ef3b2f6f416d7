// Contract: the Bot API envelope, tokens, method names, parameter transports, booleans,
// getMe/sendMessage and independent bots.
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { startTelegramEmulator, type TelegramEmulator } from "../../src/sandbox/telegram/index.js";
import { api, BOT_A, BOT_B, raw, TOKEN_A, TOKEN_B, webhookInfo } from "../helpers/telegram-harness.js";

let emu: TelegramEmulator;

beforeEach(async () => {
  emu = await startTelegramEmulator({ timeScale: 0.001, bots: [BOT_A, BOT_B] });
});
afterEach(async () => {
  await emu.stop();
});

describe("envelope", () => {
  test("success is HTTP 200 with ok:true and the result", async () => {
    const a = await api(emu.url, TOKEN_A, "getMe");
    expect(a.status).toBe(200);
    expect(a.headers.get("content-type")).toBe("application/json");
    expect(a.body).toEqual({
      ok: true,
      result: {
        id: 123456789,
        is_bot: true,
        first_name: "Alpha",
        username: "alpha_test_bot",
        can_join_groups: true,
        can_read_all_group_messages: false,
        supports_inline_queries: false,
        can_connect_to_business: false,
        has_main_web_app: false,
      },
    });
  });

  test("an error has HTTP status = error_code and a description", async () => {
    const a = await api(emu.url, TOKEN_A, "sendMessage", { text: "hi" });
    expect(a.status).toBe(400);
    expect(a.body).toEqual({ ok: false, error_code: 400, description: "Bad Request: chat_id is empty" });
  });

  test.each([
    ["no colon", "123456789"],
    ["empty", ""],
    ["leading zero", "0123:abc"],
    ["letters in the id", "abc:def"],
    ["too long", `123:${"a".repeat(80)}`],
  ])("bad token format (%s): 401 invalid token specified", async (_what, token) => {
    const a = await raw(`${emu.url}/bot${token}/getMe`);
    expect(a.status).toBe(401);
    expect(a.body).toEqual({ ok: false, error_code: 401, description: "Unauthorized: invalid token specified" });
  });

  test("unknown token: 401 Unauthorized, also for an unknown method", async () => {
    const unknown = "555555555:TEST-bot-token-zzzzzzzzzzzzzzzzzzzzzzzzz";
    for (const method of ["getMe", "noSuchMethod"]) {
      const a = await api(emu.url, unknown, method);
      expect(a.status).toBe(401);
      expect(a.body).toEqual({ ok: false, error_code: 401, description: "Unauthorized" });
    }
  });

  test("unknown method: 404 method not found", async () => {
    for (const method of ["noSuchMethod", ""]) {
      const a = await api(emu.url, TOKEN_A, method);
      expect(a.status).toBe(404);
      expect(a.body).toEqual({ ok: false, error_code: 404, description: "Not Found: method not found" });
    }
  });

  test("a path outside /bot<token>/ is 404 Not Found", async () => {
    const a = await raw(`${emu.url}/something/else`);
    expect(a.status).toBe(404);
    expect(a.body).toEqual({ ok: false, error_code: 404, description: "Not Found" });
  });

  test("method names are case-insensitive, GET and POST both work", async () => {
    for (const method of ["getme", "GETME", "GetMe"]) {
      const a = await raw(`${emu.url}/bot${TOKEN_A}/${method}`);
      expect(a.status).toBe(200);
      expect(a.body.result.username).toBe("alpha_test_bot");
    }
    const post = await raw(`${emu.url}/bot${TOKEN_A}/getMe`, { method: "POST" });
    expect(post.body.ok).toBe(true);
  });

  test("an unparseable JSON body is a 400", async () => {
    const a = await raw(`${emu.url}/bot${TOKEN_A}/sendMessage`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{not json",
    });
    expect(a.status).toBe(400);
    expect(a.body).toEqual({ ok: false, error_code: 400, description: "Bad Request: can't parse JSON encoded request" });
  });
});

describe("parameter transports", () => {
  const sent = (): string[] => emu.control.getMessages(TOKEN_A).map((m) => `${m.chat_id}:${m.text}`);

  test("query string, JSON body, urlencoded form and multipart all carry parameters", async () => {
    await raw(`${emu.url}/bot${TOKEN_A}/sendMessage?chat_id=1&text=query`);
    await api(emu.url, TOKEN_A, "sendMessage", { chat_id: 2, text: "json" });
    await raw(`${emu.url}/bot${TOKEN_A}/sendMessage`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "chat_id=3&text=form+body",
    });
    const form = new FormData();
    form.set("chat_id", "4");
    form.set("text", "multipart");
    await raw(`${emu.url}/bot${TOKEN_A}/sendMessage`, { method: "POST", body: form });
    expect(sent()).toEqual(["1:query", "2:json", "3:form body", "4:multipart"]);
  });

  test("a body parameter overrides the query string", async () => {
    await raw(`${emu.url}/bot${TOKEN_A}/sendMessage?chat_id=1&text=query`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ text: "body" }),
    });
    expect(sent()).toEqual(["1:body"]);
  });
});

describe("booleans", () => {
  // deleteWebhook is never rate-limited, so drop_pending_updates can be probed many times.
  test.each(["true", "True", "YES", "yes", "1", " 1 ", " true\t", true, 1])("%j is true", async (value) => {
    emu.control.addUpdates(TOKEN_A, [{ chatId: 1, text: "x" }]);
    await api(emu.url, TOKEN_A, "deleteWebhook", { drop_pending_updates: value });
    expect((await webhookInfo(emu.url, TOKEN_A)).pending_update_count).toBe(0);
  });

  test.each(["false", "no", "0", "on", "y", "2", "", "truee", false, 0])("%j is false", async (value) => {
    emu.control.addUpdates(TOKEN_A, [{ chatId: 1, text: "x" }]);
    await api(emu.url, TOKEN_A, "deleteWebhook", { drop_pending_updates: value });
    expect((await webhookInfo(emu.url, TOKEN_A)).pending_update_count).toBe(1);
  });
});

describe("sendMessage", () => {
  test("returns a Message and logs {chat_id, text, at}", async () => {
    const before = Date.now();
    const a = await api(emu.url, TOKEN_A, "sendMessage", { chat_id: 42, text: "hello" });
    expect(a.status).toBe(200);
    expect(a.body.ok).toBe(true);
    expect(a.body.result).toMatchObject({
      from: { id: 123456789, is_bot: true, first_name: "Alpha", username: "alpha_test_bot" },
      chat: { id: 42, type: "private" },
      text: "hello",
    });
    expect(typeof a.body.result.message_id).toBe("number");
    expect(a.body.result.date).toBeGreaterThanOrEqual(Math.floor(before / 1000));
    const log = emu.control.getMessages(TOKEN_A);
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({ chat_id: 42, text: "hello", message_id: a.body.result.message_id });
    expect(log[0]?.at).toBeGreaterThanOrEqual(before);
  });

  test("refuses an empty text and an unknown chat", async () => {
    const empty = await api(emu.url, TOKEN_A, "sendMessage", { chat_id: 42, text: "  " });
    expect(empty.body).toEqual({ ok: false, error_code: 400, description: "Bad Request: message text is empty" });
    const chat = await api(emu.url, TOKEN_A, "sendMessage", { chat_id: "@nobody", text: "x" });
    expect(chat.body).toEqual({ ok: false, error_code: 400, description: "Bad Request: chat not found" });
    expect(emu.control.getMessages(TOKEN_A)).toEqual([]);
  });
});

describe("several bots", () => {
  test("each bot has its own identity, webhook, updates and log", async () => {
    expect((await api(emu.url, TOKEN_B, "getMe")).body.result).toMatchObject({
      id: 987654321,
      first_name: "beta_test_bot",
      username: "beta_test_bot",
    });
    const setA = await api(emu.url, TOKEN_A, "setWebhook", { url: "http://127.0.0.1:9/a" });
    expect(setA.body.description).toBe("Webhook was set");
    expect((await webhookInfo(emu.url, TOKEN_B)).url).toBe("");
    expect(emu.control.addUpdates(TOKEN_B, [{ chatId: 1, text: "b" }])).toEqual({ updateIds: [1] });
    expect((await webhookInfo(emu.url, TOKEN_B)).pending_update_count).toBe(1);
    // Bot B polls freely while bot A has a webhook.
    const polled = await api(emu.url, TOKEN_B, "getUpdates");
    expect(polled.body.result.map((u: { update_id: number }) => u.update_id)).toEqual([1]);
    await api(emu.url, TOKEN_B, "sendMessage", { chat_id: 1, text: "from b" });
    expect(emu.control.getMessages(TOKEN_A)).toEqual([]);
  });

  test("the call log records every call without the token", async () => {
    await api(emu.url, TOKEN_A, "getMe");
    await api(emu.url, TOKEN_B, "GETWEBHOOKINFO");
    await api(emu.url, TOKEN_A, "noSuchMethod");
    await raw(`${emu.url}/bot${TOKEN_A}/${TOKEN_A}`);
    await api(emu.url, "42", "getMe");
    const calls = emu.control.getCalls();
    expect(calls.map((c) => [c.method, c.status])).toEqual([
      ["getMe", 200],
      ["getWebhookInfo", 200],
      ["noSuchMethod", 404],
      ["<redacted>", 404],
      ["getMe", 401],
    ]);
    const text = JSON.stringify(calls);
    expect(text).not.toContain(TOKEN_A);
    expect(text).not.toContain("TEST-bot-token");
  });
});
