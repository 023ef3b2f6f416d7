// Validation of a setWebhook url, in the real server's two steps: the url is parsed first (a url
// without a scheme is read as https://, as td::parse_url does with Https as its default), and
// only after the secret token was checked are its scheme and port held to the webhook rules.
// Strict mode applies Telegram's rules (https, ports 80, 88, 443, 8443). Local mode also accepts
// http(s) on loopback hosts at any port, because the sandbox's ALB and bots listen on 127.x.x.x;
// any other host still gets the strict rules.
import { type ApiError, badRequest } from "./envelope.js";
import type { WebhookMode } from "./settings.js";

const ALLOWED_PORTS = new Set([80, 88, 443, 8443]);

export interface ParsedWebhookUrl {
  /** The url as the bot gave it (getWebhookInfo shows this). */
  url: string;
  /** The url with its scheme: where deliveries go. */
  href: string;
  protocol: "http:" | "https:";
  hostname: string;
  port: number;
}

export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase();
  if (h === "localhost" || h === "[::1]") return true;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** The url with its scheme: https:// when it has none, as on Telegram. */
export function withScheme(raw: string): string {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `https://${raw}`;
}

/** Step 1: the parsed url, or 400 "invalid webhook URL specified". */
export function parseWebhookUrl(raw: string): ParsedWebhookUrl | ApiError {
  const href = withScheme(raw);
  let u: URL;
  try {
    u = new URL(href);
  } catch {
    return badRequest("invalid webhook URL specified");
  }
  if ((u.protocol !== "http:" && u.protocol !== "https:") || u.hostname === "") {
    return badRequest("invalid webhook URL specified");
  }
  const port = u.port !== "" ? Number(u.port) : u.protocol === "https:" ? 443 : 80;
  return { url: raw, href, protocol: u.protocol, hostname: u.hostname, port };
}

/** Step 2: the webhook rules for scheme and port; undefined when the url may be used. */
export function checkWebhookUrl(parsed: ParsedWebhookUrl, mode: WebhookMode): ApiError | undefined {
  if (mode === "local" && isLoopbackHost(parsed.hostname)) return undefined;
  if (parsed.protocol !== "https:") return badRequest("bad webhook: An HTTPS URL must be provided for webhook");
  if (!ALLOWED_PORTS.has(parsed.port)) {
    return badRequest("bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443");
  }
  return undefined;
}
