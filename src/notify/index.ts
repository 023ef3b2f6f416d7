// Outcome notifications: a Telegram message (sendMessage with the bot's own token, or notify's own)
// and/or a JSON POST to a webhook. A notification is a courtesy: notifyOutcome never throws and
// never takes long (each channel has a deadline), so a failed notification never fails a release.
// Nothing secret leaves: texts go through redact(), and the tokens are never part of a message.
import type { Config } from "../config/types.js";
import { redact } from "../util/redact.js";
import { type NotifyEvent, outcomeText } from "./message.js";

export { type NotifyEvent, outcomeText, shortImage, WHILE_REPAIRING } from "./message.js";

export interface NotifyOptions {
  fetchImpl?: typeof fetch;
  /** Per channel; default 10 s. */
  timeoutMs?: number;
}

/** sent: channel names ("telegram", "webhook"); failed: "<channel>: <why>" (no secret in it). */
export interface NotifyResult {
  sent: string[];
  failed: string[];
}

export const DEFAULT_NOTIFY_TIMEOUT_MS = 10_000;

export async function notifyOutcome(config: Config, event: NotifyEvent, opts: NotifyOptions = {}): Promise<NotifyResult> {
  const result: NotifyResult = { sent: [], failed: [] };
  const notify = config.notify;
  if (notify === undefined) return result;
  const doFetch = opts.fetchImpl ?? fetch;
  const timeoutMs = opts.timeoutMs ?? DEFAULT_NOTIFY_TIMEOUT_MS;
  const secrets = [config.telegram.botToken, notify.telegram?.botToken, notify.webhook?.secretHeader];
  const clean = (text: string): string => scrub(redact(text), secrets);
  const text = clean(outcomeText(event));

  const channels: Promise<void>[] = [];
  const settle = (name: string, attempt: () => Promise<void>) =>
    attempt().then(
      () => void result.sent.push(name),
      (e: unknown) => void result.failed.push(`${name}: ${clean(e instanceof Error ? e.message : String(e))}`),
    );

  const telegram = notify.telegram;
  if (telegram !== undefined) {
    channels.push(
      settle("telegram", async () => {
        const url = `${config.telegram.apiBase.replace(/\/+$/, "")}/bot${telegram.botToken}/sendMessage`;
        const body = { chat_id: telegram.chatId, text, disable_web_page_preview: true };
        const res = await post(doFetch, url, body, {}, timeoutMs);
        const reply = (await res.json().catch(() => null)) as { ok?: boolean; description?: string } | null;
        if (!res.ok || reply?.ok !== true)
          throw new Error(`sendMessage answered HTTP ${res.status}${reply?.description !== undefined ? `: ${reply.description}` : ""}`);
      }),
    );
  }
  const webhook = notify.webhook;
  if (webhook !== undefined) {
    channels.push(
      settle("webhook", async () => {
        const headers: Record<string, string> = webhook.secretHeader !== undefined ? { "x-bluegreen-secret": webhook.secretHeader } : {};
        const payload = JSON.parse(clean(JSON.stringify({ type: "bluegreen.outcome", at: new Date().toISOString(), text, ...event }))) as unknown;
        const res = await post(doFetch, webhook.url, payload, headers, timeoutMs);
        await res.arrayBuffer().catch(() => undefined);
        if (!res.ok) throw new Error(`${safeUrl(webhook.url)} answered HTTP ${res.status}`);
      }),
    );
  }
  await Promise.all(channels);
  return result;
}

async function post(doFetch: typeof fetch, url: string, body: unknown, headers: Record<string, string>, timeoutMs: number): Promise<Response> {
  try {
    return await doFetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (e) {
    // fetch's own errors may quote the URL (the bot token is in it): describe them ourselves.
    const name = e instanceof Error ? e.name : "";
    if (name === "TimeoutError" || name === "AbortError") throw new Error(`no answer within ${timeoutMs} ms`);
    const cause = e instanceof Error && e.cause instanceof Error ? e.cause.message : e instanceof Error ? e.message : String(e);
    throw new Error(`request failed (${cause})`);
  }
}

/** Scheme, host and path only: query strings often carry tokens. */
function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return "the webhook";
  }
}

function scrub(text: string, secrets: (string | undefined)[]): string {
  let out = text;
  for (const s of secrets) if (s !== undefined && s.length > 0) out = out.split(s).join("<redacted>");
  return out;
}

/** notifyOutcome plus a "notify" step event (ok, or fail with the reasons); never throws. */
export async function notifyAndReport(
  config: Config,
  event: NotifyEvent,
  reporter: { step(e: { step: string; status: "ok" | "fail"; message?: string }): void },
  opts: NotifyOptions = {},
): Promise<NotifyResult> {
  if (config.notify === undefined) return { sent: [], failed: [] };
  try {
    const result = await notifyOutcome(config, event, opts);
    if (result.sent.length > 0) reporter.step({ step: "notify", status: "ok", message: `sent to ${result.sent.join(" and ")}` });
    if (result.failed.length > 0)
      reporter.step({ step: "notify", status: "fail", message: `not sent (the ${event.command} itself is unaffected): ${result.failed.join("; ")}` });
    return result;
  } catch {
    // notifyOutcome does not throw; a reporter that does must not fail a release either.
    return { sent: [], failed: ["notify: unexpected error"] };
  }
}
