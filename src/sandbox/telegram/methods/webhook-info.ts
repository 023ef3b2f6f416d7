// getWebhookInfo: field order and presence as the real server writes them; optional fields are
// omitted when unset, url is "" without a webhook.
import { isIPv4 } from "node:net";
import type { WebhookConfig } from "../bot-state.js";
import { type ApiOkBody, ok } from "../envelope.js";
import type { MethodContext } from "./context.js";

/** The address Telegram would show: the fixed ip_address, else the host when it is an address. */
function shownIpAddress(w: WebhookConfig): string | undefined {
  if (w.ipAddress !== "") return w.ipAddress;
  const host = w.parsed.hostname;
  if (isIPv4(host)) return host;
  if (host.toLowerCase() === "localhost") return "127.0.0.1";
  return undefined;
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
    const ip = shownIpAddress(w);
    if (ip !== undefined) info.ip_address = ip;
  }
  if (state.allowedUpdates !== null) info.allowed_updates = [...state.allowedUpdates];
  return ok(info);
}
