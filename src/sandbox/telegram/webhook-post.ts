// One webhook delivery attempt: POST the update as JSON, wait for the whole answer within the
// timeout. The outcome carries the last_error_message text Telegram would show for a failure.
import http from "node:http";
import https from "node:https";
import { statusLine } from "./envelope.js";
import { parseRetryAfter } from "./retry-schedule.js";
import { withScheme } from "./webhook-url.js";

export interface PostTarget {
  /** With its scheme (see withScheme). */
  url: string;
  secretToken: string;
  /** Fixed IPv4 address to connect to instead of resolving the url's host. */
  ipAddress: string;
}

export type PostOutcome =
  | { kind: "response"; status: number; retryAfter: number | undefined; body: Buffer; contentType: string }
  | { kind: "error"; message: string }
  | { kind: "aborted" };

/** Node socket errors -> the texts Telegram's webhook client reports. */
function errorText(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case "ECONNREFUSED":
      return "Connection refused";
    case "ECONNRESET":
      return "Connection reset by peer";
    case "EHOSTUNREACH":
      return "No route to host";
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return "Failed to resolve host: Name or service not known";
    case "ETIMEDOUT":
      return "Connection timed out";
    default:
      if (err.message === "socket hang up") return "Connection closed";
      if (err.code?.startsWith("ERR_TLS") || err.code?.startsWith("ERR_SSL") || /certificate|SSL/i.test(err.message)) {
        return `SSL error {${err.message}}`;
      }
      return err.message;
  }
}

const MAX_REPLY_BYTES = 1024 * 1024;

export function postUpdate(target: PostTarget, body: string, timeoutMs: number, signal: AbortSignal): Promise<PostOutcome> {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (o: PostOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
      resolve(o);
    };
    const u = new URL(withScheme(target.url));
    const headers: Record<string, string> = {
      "Content-Type": "application/json",
      "Content-Length": String(Buffer.byteLength(body)),
      Host: u.host,
    };
    if (target.secretToken !== "") headers["X-Telegram-Bot-Api-Secret-Token"] = target.secretToken;
    const mod = u.protocol === "https:" ? https : http;
    const req = mod.request({
      method: "POST",
      hostname: target.ipAddress !== "" ? target.ipAddress : u.hostname.replace(/^\[|\]$/g, ""),
      port: u.port !== "" ? Number(u.port) : u.protocol === "https:" ? 443 : 80,
      path: `${u.pathname}${u.search}`,
      headers,
      servername: u.hostname,
      agent: false, // one connection per attempt: aborting it can never hurt another delivery
    });
    const onAbort = (): void => {
      req.destroy();
      finish({ kind: "aborted" });
    };
    const timer = setTimeout(() => {
      req.destroy();
      finish({ kind: "error", message: "Read timeout expired" });
    }, timeoutMs);
    signal.addEventListener("abort", onAbort);
    if (signal.aborted) return onAbort();
    req.on("error", (err) => finish({ kind: "error", message: errorText(err) }));
    req.on("response", (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (c: Buffer) => {
        size += c.length;
        if (size <= MAX_REPLY_BYTES) chunks.push(c);
      });
      res.on("error", (err) => finish({ kind: "error", message: errorText(err) }));
      res.on("end", () =>
        finish({
          kind: "response",
          status: res.statusCode ?? 0,
          retryAfter: parseRetryAfter(res.headers["retry-after"]),
          body: Buffer.concat(chunks),
          contentType: String(res.headers["content-type"] ?? ""),
        }),
      );
    });
    req.end(body);
  });
}

/** last_error_message for a non-2xx answer. */
export function wrongResponseText(status: number): string {
  return `Wrong response from the webhook: ${statusLine(status)}`;
}
