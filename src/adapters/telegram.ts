// Telegram port over node:http(s). The token lives in the URL path, so no URL or raw error from
// here may escape without redaction. Not fetch(): Node 20 compiles undici (and its llhttp wasm) on
// a process's first fetch, 50-60 ms of CPU against 9-12 ms for a first http.request (measured on
// the 2-core sandbox machine), and every command of the CLI is a new process. 429s are retried after Telegram's retry_after (p-retry), transient
// network errors a few times; Telegram's own refusals (400/401/409) are not retried.
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import pRetry, { AbortError } from "p-retry";
import type { BotInfo, SetWebhookParams, Telegram, WebhookInfo } from "../ports.js";
import { redact } from "../util/redact.js";
import { type CallCounter, processCalls } from "./call-count.js";

/** Waits `ms`, or less when `signal` aborts first (then it resolves: the caller's pRetry throws). */
function abortableSleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}

export class TelegramApiError extends Error {
  constructor(
    readonly method: string,
    readonly errorCode: number,
    readonly description: string,
    readonly retryAfter?: number,
  ) {
    super(`Telegram ${method}: ${errorCode} ${description}`);
  }
}

interface Envelope<T> {
  ok: boolean;
  result?: T;
  error_code?: number;
  description?: string;
  parameters?: { retry_after?: number };
}

export interface TelegramOptions {
  apiBase: string;
  token: string;
  timeoutMs?: number;
  /** Longest retry_after we wait on a 429 before giving up (seconds). */
  maxRetryAfterSec?: number;
  sleep?: (ms: number) => Promise<void>;
  /** Where calls are counted (default: the process's counter). */
  calls?: CallCounter;
}

/**
 * One POST: the status and the whole body, or a rejection (network error, abort) whose message or
 * cause says why. A FormData body (setWebhook with a certificate) is encoded as multipart by
 * Response, which loads undici only for that call. Told apart from a string by typeof, not
 * `instanceof FormData`: reading Node 20's FormData global loads undici (20-30 ms of CPU, on every
 * `status` and every release; test/unit/telegram-no-undici.test.ts).
 */
async function post(url: string, body: string | FormData | undefined, json: boolean, signal: AbortSignal): Promise<{ status: number; text: string }> {
  const headers: Record<string, string> = {};
  let payload: string | Buffer | undefined;
  if (typeof body === "object") {
    const encoded = new Response(body);
    headers["content-type"] = encoded.headers.get("content-type") ?? "multipart/form-data";
    payload = Buffer.from(await encoded.arrayBuffer());
  } else {
    payload = body;
    if (json) headers["content-type"] = "application/json";
  }
  headers["content-length"] = String(payload === undefined ? 0 : Buffer.byteLength(payload));
  signal.throwIfAborted();
  const target = new URL(url);
  const send = target.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(target, { method: "POST", headers, signal }, (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", reject);
      // Cut off mid-answer (an abort, a reset): the abort's reason, else say so (after "end" this does nothing).
      res.on("close", () => {
        if (!res.complete) reject(signal.aborted ? signal.reason : new Error("the connection closed before the whole answer arrived"));
      });
    });
    req.on("error", reject);
    req.end(payload);
  });
}

export class TelegramClient implements Telegram {
  constructor(private readonly opts: TelegramOptions) {}

  private async once<T>(method: string, body: string | FormData | undefined, json: boolean, signal?: AbortSignal): Promise<T> {
    const url = `${this.opts.apiBase.replace(/\/+$/, "")}/bot${this.opts.token}/${method}`;
    const timeout = AbortSignal.timeout(this.opts.timeoutMs ?? 10_000);
    let res: { status: number; text: string };
    try {
      res = await post(url, body, json, signal !== undefined ? AbortSignal.any([timeout, signal]) : timeout);
    } catch (e) {
      const cause = e instanceof Error ? ((e.cause as Error | undefined)?.message ?? e.message) : String(e);
      throw new Error(redact(`Telegram ${method}: request failed: ${cause}`));
    }
    let env: Envelope<T>;
    try {
      env = JSON.parse(res.text) as Envelope<T>;
    } catch {
      throw new Error(`Telegram ${method}: HTTP ${res.status} with a body that is not JSON`);
    }
    if (env.ok && env.result !== undefined) return env.result;
    throw new TelegramApiError(method, env.error_code ?? res.status, redact(env.description ?? "no description"), env.parameters?.retry_after);
  }

  private call<T>(method: string, body?: string | FormData, json = true, signal?: AbortSignal): Promise<T> {
    const done = (this.opts.calls ?? processCalls).add("telegram", method);
    const maxWait = this.opts.maxRetryAfterSec ?? 60;
    const sleep = this.opts.sleep ?? ((ms: number) => abortableSleep(ms, signal));
    return pRetry(() => this.once<T>(method, body, json, signal), {
      // A deadline ends the retries too, not only the request in flight.
      ...(signal !== undefined ? { signal } : {}),
      retries: 3,
      minTimeout: 200,
      factor: 2,
      shouldRetry: async ({ error }) => {
        if (error instanceof TelegramApiError) {
          if (error.errorCode === 429 && error.retryAfter !== undefined && error.retryAfter <= maxWait) {
            // Telegram says exactly how long to wait: wait that long (p-retry adds its short backoff on top).
            await sleep(error.retryAfter * 1000);
            return true;
          }
          return error.errorCode >= 500;
        }
        return true;
      },
    })
      .catch((e: unknown) => {
        if (signal?.aborted === true) throw new Error(`Telegram ${method}: no answer before the deadline`);
        throw e instanceof AbortError ? new Error(redact(e.message)) : e;
      })
      .finally(done);
  }

  async getMe(): Promise<BotInfo> {
    const r = await this.call<{ id: number; username?: string }>("getMe");
    return { id: r.id, username: r.username ?? "" };
  }

  async getWebhookInfo(opts: { signal?: AbortSignal } = {}): Promise<WebhookInfo> {
    const r = await this.call<{
      url: string;
      has_custom_certificate: boolean;
      pending_update_count: number;
      last_error_date?: number;
      last_error_message?: string;
      max_connections?: number;
      allowed_updates?: string[];
    }>("getWebhookInfo", undefined, true, opts.signal);
    return {
      url: r.url,
      hasCustomCertificate: r.has_custom_certificate,
      pendingUpdateCount: r.pending_update_count,
      ...(r.last_error_date !== undefined ? { lastErrorDate: r.last_error_date } : {}),
      ...(r.last_error_message !== undefined ? { lastErrorMessage: r.last_error_message } : {}),
      ...(r.max_connections !== undefined ? { maxConnections: r.max_connections } : {}),
      ...(r.allowed_updates !== undefined ? { allowedUpdates: r.allowed_updates } : {}),
    };
  }

  async setWebhook(p: SetWebhookParams): Promise<void> {
    if (p.certificatePem !== undefined) {
      // A self-signed endpoint needs its certificate on every setWebhook: multipart upload.
      const form = new FormData();
      form.set("url", p.url);
      if (p.secretToken !== undefined) form.set("secret_token", p.secretToken);
      if (p.maxConnections !== undefined) form.set("max_connections", String(p.maxConnections));
      if (p.allowedUpdates !== undefined) form.set("allowed_updates", JSON.stringify(p.allowedUpdates));
      form.set("drop_pending_updates", p.dropPendingUpdates === true ? "true" : "false");
      form.set("certificate", new Blob([p.certificatePem], { type: "application/x-pem-file" }), "cert.pem");
      await this.call<boolean>("setWebhook", form, false);
      return;
    }
    const body: Record<string, unknown> = { url: p.url, drop_pending_updates: p.dropPendingUpdates === true };
    if (p.secretToken !== undefined) body.secret_token = p.secretToken;
    if (p.maxConnections !== undefined) body.max_connections = p.maxConnections;
    if (p.allowedUpdates !== undefined) body.allowed_updates = p.allowedUpdates;
    await this.call<boolean>("setWebhook", JSON.stringify(body));
  }

  async deleteWebhook(): Promise<void> {
    await this.call<boolean>("deleteWebhook", JSON.stringify({ drop_pending_updates: false }));
  }
}
