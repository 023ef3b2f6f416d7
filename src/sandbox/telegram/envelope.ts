// The Bot API answer envelope: {"ok":true,"result":...} or {"ok":false,"error_code":N,...}.
// Error texts are the real service's, prefixed the way its server prefixes them.
import { STATUS_CODES } from "node:http";

export interface ApiErrorBody {
  ok: false;
  error_code: number;
  description: string;
  parameters?: { retry_after: number };
}

export interface ApiOkBody {
  ok: true;
  result: unknown;
  description?: string;
}

export type ApiBody = ApiOkBody | ApiErrorBody;

/** A Bot API failure; thrown by method handlers and turned into the error envelope. */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly description: string,
    readonly retryAfter?: number,
  ) {
    super(description);
  }

  body(): ApiErrorBody {
    const body: ApiErrorBody = { ok: false, error_code: this.code, description: this.description };
    if (this.retryAfter !== undefined) body.parameters = { retry_after: this.retryAfter };
    return body;
  }

  /** Retry-After accompanies every 429 of the real server. */
  headers(): Record<string, string> {
    return this.retryAfter !== undefined ? { "Retry-After": String(this.retryAfter) } : {};
  }
}

export const badRequest = (text: string): ApiError => new ApiError(400, `Bad Request: ${text}`);
export const conflict = (text: string): ApiError => new ApiError(409, `Conflict: ${text}`);
export const tooManyRequests = (retryAfter: number): ApiError => new ApiError(429, `Too Many Requests: retry after ${retryAfter}`, retryAfter);

export const ERR_INVALID_TOKEN = (): ApiError => new ApiError(401, "Unauthorized: invalid token specified");
export const ERR_UNAUTHORIZED = (): ApiError => new ApiError(401, "Unauthorized");
export const ERR_METHOD_NOT_FOUND = (): ApiError => new ApiError(404, "Not Found: method not found");
export const ERR_NOT_FOUND = (): ApiError => new ApiError(404, "Not Found");

export function ok(result: unknown, description?: string): ApiOkBody {
  return description === undefined ? { ok: true, result } : { ok: true, result, description };
}

/** The error a "status" fault answers: the real description for the usual codes. */
export function faultError(status: number, description?: string, retryAfter?: number): ApiError {
  if (status === 429) {
    const wait = retryAfter ?? 1;
    return new ApiError(429, description ?? `Too Many Requests: retry after ${wait}`, wait);
  }
  const reason = STATUS_CODES[status] ?? "Error";
  return new ApiError(status, description ?? reason, retryAfter);
}

/** "502 Bad Gateway": the status line text Telegram quotes in last_error_message. */
export function statusLine(status: number): string {
  const reason = STATUS_CODES[status];
  return reason === undefined ? String(status) : `${status} ${reason}`;
}
