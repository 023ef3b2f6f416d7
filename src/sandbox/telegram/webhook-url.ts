// Validation of a setWebhook url. Strict mode applies Telegram's rules (https, ports 80, 88, 443,
// 8443). Local mode also accepts http(s) on loopback hosts at any port, because the sandbox's
// ALB and bots listen on 127.x.x.x; any other host still gets the strict rules.
import { type ApiError, badRequest } from "./envelope.js";
import type { WebhookMode } from "./settings.js";

const ALLOWED_PORTS = new Set([80, 88, 443, 8443]);

export interface ParsedWebhookUrl {
  url: string;
  protocol: "http:" | "https:";
  hostname: string;
  port: number;
}

export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase();
  if (h === "localhost" || h === "[::1]") return true;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** Returns the parsed url, or the ApiError the real server answers. */
export function validateWebhookUrl(raw: string, mode: WebhookMode): ParsedWebhookUrl | ApiError {
  // Like the real server, a url without a scheme is read as http://.
  const text = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`;
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    return badRequest("invalid webhook URL specified");
  }
  if ((u.protocol !== "http:" && u.protocol !== "https:") || u.hostname === "") {
    return badRequest("invalid webhook URL specified");
  }
  const port = u.port !== "" ? Number(u.port) : u.protocol === "https:" ? 443 : 80;
  const parsed: ParsedWebhookUrl = { url: raw, protocol: u.protocol, hostname: u.hostname, port };
  if (mode === "local" && isLoopbackHost(u.hostname)) return parsed;
  if (u.protocol !== "https:") return badRequest("bad webhook: An HTTPS URL must be provided for webhook");
  if (!ALLOWED_PORTS.has(port)) {
    return badRequest("bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443");
  }
  return parsed;
}
