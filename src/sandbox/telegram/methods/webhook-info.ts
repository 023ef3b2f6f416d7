// getWebhookInfo: field order and presence as the real server writes them; optional fields are
// omitted when unset, url is "" without a webhook, ip_address is there whenever a url is set.
import { isIPv4 } from "node:net";
import type { WebhookConfig } from "../bot-state.js";
import { type ApiOkBody, ok } from "../envelope.js";
import type { MethodContext } from "./context.js";

/**
 * The address Telegram shows whenever a url is set: the fixed ip_address, else the address it
 * resolved the host to. The emulator never asks DNS (tests talk to 127.0.0.0/8 only): an
 * address host is itself, localhost is 127.0.0.1, and any other name gets a stable stand-in from
 * the documentation range 203.0.113.0/24, so the field is there as it is on Telegram.
 */
export function shownIpAddress(w: WebhookConfig): string {
  if (w.ipAddress !== "") return w.ipAddress;
  const host = w.parsed.hostname.toLowerCase();
  if (isIPv4(host)) return host;
  if (host === "localhost" || host === "[::1]") return "127.0.0.1";
  let hash = 0;
  for (const ch of host) hash = (hash * 31 + (ch.codePointAt(0) ?? 0)) % 254;
  return `203.0.113.${hash + 1}`;
}

export function getWebhookInfo(ctx: MethodContext): ApiOkBody {
  const { state } = ctx.bot;
  const w = state.webhook;
  const info: Record<string, unknown> = {
    url: w?.url ?? "",
    has_custom_certificate: w?.hasCertificate ?? false,
    pending_update_count: state.store.pending.size,
  };
  if (state.lastError !== null) {
    info.last_error_date = state.lastError.date;
    info.last_error_message = state.lastError.message;
  }
  if (w !== null) {
    info.max_connections = w.maxConnections;
    info.ip_address = shownIpAddress(w);
  }
  if (state.allowedUpdates !== null) info.allowed_updates = [...state.allowedUpdates];
  return ok(info);
}
