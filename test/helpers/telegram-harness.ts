// Helpers of the Telegram emulator contract tests: plain-fetch Bot API and control calls, a
// deadline-bounded wait, and fake bot identities (recognisable fake tokens, never real ones).
import type { BotIdentity } from "../../src/sandbox/telegram/index.js";

export const TOKEN_A = "123456789:TEST-bot-token-aaaaaaaaaaaaaaaaaaaaaaaaa";
export const TOKEN_B = "987654321:TEST-bot-token-bbbbbbbbbbbbbbbbbbbbbbbbb";
export const BOT_A: BotIdentity = { token: TOKEN_A, id: 123456789, username: "alpha_test_bot", firstName: "Alpha" };
export const BOT_B: BotIdentity = { token: TOKEN_B, id: 987654321, username: "beta_test_bot" };

export interface ApiAnswer {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: test code reads the JSON envelope freely
  body: any;
}

/** POST a Bot API method with a JSON body. */
export async function api(base: string, token: string, method: string, params: Record<string, unknown> = {}): Promise<ApiAnswer> {
  const res = await fetch(`${base}/bot${token}/${method}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(params),
  });
  return { status: res.status, headers: res.headers, body: await res.json() };
}

/** Any request to the emulator; the answer body parsed as JSON. */
export async function raw(url: string, init?: RequestInit): Promise<ApiAnswer> {
  const res = await fetch(url, init);
  return { status: res.status, headers: res.headers, body: await res.json() };
}

export async function ctl(base: string, method: string, path: string, body?: unknown): Promise<ApiAnswer> {
  const init: RequestInit = { method };
  if (body !== undefined) {
    init.headers = { "content-type": "application/json" };
    init.body = JSON.stringify(body);
  }
  return raw(`${base}/_control/${path}`, init);
}

/** Polls `probe` until it returns a value other than undefined/false, or fails at the deadline. */
export async function waitFor<T>(probe: () => T | undefined | false | Promise<T | undefined | false>, what: string, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export async function webhookInfo(base: string, token: string): Promise<Record<string, unknown>> {
  const a = await api(base, token, "getWebhookInfo");
  return a.body.result as Record<string, unknown>;
}
