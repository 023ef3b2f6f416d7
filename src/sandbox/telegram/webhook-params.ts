// The non-url parameters of setWebhook, read and checked before anything changes.
import { isIPv4 } from "node:net";
import { badRequest } from "./envelope.js";
import type { ApiParams } from "./params.js";
import { parseIntArg } from "./params.js";
import { type AllowedUpdates, parseAllowedUpdates } from "./update-types.js";

export const DEFAULT_MAX_CONNECTIONS = 40;
export const MAX_CONNECTIONS = 100;
export const MAX_SECRET_TOKEN_LENGTH = 256;
export const MAX_CERTIFICATE_BYTES = 3 * 1024 * 1024;

export interface WebhookParams {
  secretToken: string;
  /** Silently clamped to 1..100, default 40. */
  maxConnections: number;
  ipAddress: string;
  hasCertificate: boolean;
  /** undefined = keep the previous value. */
  allowedUpdates: AllowedUpdates | undefined;
}

export function readWebhookParams(p: ApiParams): WebhookParams {
  const secretToken = p.args.get("secret_token") ?? "";
  if (secretToken.length > MAX_SECRET_TOKEN_LENGTH) throw badRequest("secret token is too long");
  if (!/^[A-Za-z0-9_-]*$/.test(secretToken)) throw badRequest("secret token contains unallowed characters");

  const certificate = p.files.get("certificate");
  if (certificate !== undefined && certificate.size > MAX_CERTIFICATE_BYTES) {
    throw badRequest(`certificate size is too big (${certificate.size} bytes)`);
  }

  const ipAddress = (p.args.get("ip_address") ?? "").trim();
  if (ipAddress !== "" && !isIPv4(ipAddress)) throw badRequest("invalid IP address specified");

  return {
    secretToken,
    maxConnections: parseIntArg(p.args.get("max_connections"), DEFAULT_MAX_CONNECTIONS, 1, MAX_CONNECTIONS),
    ipAddress,
    hasCertificate: certificate !== undefined,
    allowedUpdates: parseAllowedUpdates(p.args.get("allowed_updates")),
  };
}
