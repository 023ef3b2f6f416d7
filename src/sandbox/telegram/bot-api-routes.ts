// /bot<token>/<method>: the Bot API. Order of checks: injected fault, token format, known token,
// method name, then the method itself. An injected 400 on setWebhook closes the bot's old
// webhook first, as a refused real setWebhook does. Every call is logged without its token.
import type { IncomingMessage, ServerResponse } from "node:http";
import { type ApiBody, ApiError, ERR_INVALID_TOKEN, ERR_METHOD_NOT_FOUND, ERR_UNAUTHORIZED, faultError } from "./envelope.js";
import { clientGoneSignal, sendJson, sleep } from "./http-util.js";
import { findMethod } from "./methods/index.js";
import { closeBeforeRefusal } from "./methods/set-webhook.js";
import { parseParams } from "./params.js";
import { isValidTokenFormat } from "./token.js";
import type { TelegramWorld } from "./world.js";

/** `/bot<token>/<method>` -> parts, or undefined when the path is not a Bot API path. */
export function splitBotPath(path: string): { token: string; method: string } | undefined {
  const m = /^\/bot([^/]*)(?:\/([^/]*))?\/?$/.exec(path);
  if (m === null) return undefined;
  let token = m[1] ?? "";
  try {
    token = decodeURIComponent(token);
  } catch {
    // keep the raw text; it fails the format check anyway
  }
  return { token, method: m[2] ?? "" };
}

/** A method name fit for the call log: never anything that looks like a token. */
function loggedName(method: string): string {
  const entry = findMethod(method);
  return entry?.name ?? method.replace(/\d+:[^/\s]+/g, "<redacted>");
}

export async function handleBotApi(
  world: TelegramWorld,
  req: IncomingMessage,
  res: ServerResponse,
  parts: { token: string; method: string },
  search: URLSearchParams,
  body: Buffer,
): Promise<void> {
  const call = { method: loggedName(parts.method), at: Date.now(), status: null as number | null };
  world.calls.push(call);
  const answer = (status: number, payload: ApiBody, headers?: Record<string, string>): void => {
    call.status = status;
    sendJson(res, status, payload, headers);
  };

  const fault = world.faults.take(parts.method.toLowerCase());
  if (fault?.kind === "drop") {
    // The API is unreachable: the connection dies without an answer.
    req.socket.destroy();
    return;
  }
  if (fault?.kind === "latency") await sleep(fault.latencyMs ?? 0);
  if (fault?.kind === "status") {
    const err = faultError(fault.status ?? 500, fault.description, fault.retryAfter);
    // Telegram refuses a setWebhook (400) only after it closed the old webhook.
    const bot = world.bot(parts.token);
    if (err.code === 400 && parts.method.toLowerCase() === "setwebhook" && bot !== undefined) closeBeforeRefusal(bot);
    return answer(err.code, err.body(), err.headers());
  }

  try {
    if (!isValidTokenFormat(parts.token)) throw ERR_INVALID_TOKEN();
    const bot = world.bot(parts.token);
    if (bot === undefined) throw ERR_UNAUTHORIZED();
    const entry = findMethod(parts.method);
    if (entry === undefined) throw ERR_METHOD_NOT_FOUND();
    const params = await parseParams(search, String(req.headers["content-type"] ?? ""), body);
    const result = await entry.handler({ bot, params, settings: world.settings, signal: clientGoneSignal(res) });
    answer(200, result);
  } catch (e) {
    if (e instanceof ApiError) return answer(e.code, e.body(), e.headers());
    const err = new ApiError(500, "Internal Server Error");
    answer(500, err.body());
  }
}
