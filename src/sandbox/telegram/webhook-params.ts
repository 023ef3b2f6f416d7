// The non-url parameters of setWebhook. Those the real server reads before it touches anything
// (max_connections, the certificate, allowed_updates) are read by readWebhookParams; the secret
// token and ip_address are checked by checkSecretToken / checkIpAddress only after the old
// webhook was closed, so a refusal of either leaves no webhook, as on Telegram.
import { isIP } from "node:net";
import { type ApiError, badRequest } from "./envelope.js";
import type { ApiParams } from "./params.js";
import { parseIntArg } from "./params.js";
import { type AllowedUpdates, parseAllowedUpdates } from "./update-types.js";

export const DEFAULT_MAX_CONNECTIONS = 40;
export const MAX_CONNECTIONS = 100;
export const MAX_SECRET_TOKEN_LENGTH = 256;
export const MAX_CERTIFICATE_BYTES = 3 * 1024 * 1024;

export interface WebhookParams {
  /** Not yet checked: see checkSecretToken. */
  secretToken: string;
  /** Silently clamped to 1..100, default 40. */
  maxConnections: number;
  /** Not yet checked: see checkIpAddress. */
  ipAddress: string;
  hasCertificate: boolean;
  /** undefined = keep the previous value. */
  allowedUpdates: AllowedUpdates | undefined;
}

export function readWebhookParams(p: ApiParams): WebhookParams {
  const certificate = p.files.get("certificate");
  if (certificate !== undefined && certificate.size > MAX_CERTIFICATE_BYTES) {
    throw badRequest(`certificate size is too big (${certificate.size} bytes)`);
  }
  return {
    secretToken: p.args.get("secret_token") ?? "",
    maxConnections: parseIntArg(p.args.get("max_connections"), DEFAULT_MAX_CONNECTIONS, 1, MAX_CONNECTIONS),
    ipAddress: (p.args.get("ip_address") ?? "").trim(),
    hasCertificate: certificate !== undefined,
    allowedUpdates: parseAllowedUpdates(p.args.get("allowed_updates")),
  };
}

/** 0..256 chars of A-Za-z0-9_-; undefined when fine. */
export function checkSecretToken(secretToken: string): ApiError | undefined {
  if (secretToken.length > MAX_SECRET_TOKEN_LENGTH) return badRequest("secret token is too long");
  if (!/^[A-Za-z0-9_-]*$/.test(secretToken)) return badRequest("secret token contains unallowed characters");
  return undefined;
}

/** A fixed address must be IPv4: the webhook client connects over IPv4 only. */
export function checkIpAddress(ipAddress: string): ApiError | undefined {
  if (ipAddress === "") return undefined;
  const family = isIP(ipAddress);
  if (family === 6) return badRequest("bad webhook: IPv6-only addresses are not allowed");
  if (family !== 4) return badRequest("bad webhook: Invalid IP address specified");
  return undefined;
}
