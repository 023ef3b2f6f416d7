import type { BotConfig } from "./config.js";
import { redact } from "./log.js";

export interface TelegramReply {
  httpStatus: number;
  ok: boolean;
  description: string | undefined;
}

/** POST {apiBase}/bot{token}/{method} with a JSON body. Errors never carry the token. */
export async function callTelegram(config: BotConfig, method: string, payload: Record<string, unknown>): Promise<TelegramReply> {
  if (!config.token) throw new Error(`${method}: TELEGRAM_BOT_TOKEN is not set`);
  const url = `${config.apiBase}/bot${config.token}/${method}`;
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(payload),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await response.text();
    let body: { ok?: unknown; description?: unknown } = {};
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      // A non-JSON answer (proxy error page) still has a status worth reporting.
    }
    return {
      httpStatus: response.status,
      ok: body.ok === true,
      description: typeof body.description === "string" ? body.description : undefined,
    };
  } catch (error) {
    const cause = (error as { cause?: { message?: string } }).cause?.message;
    const message = `${(error as Error).message}${cause ? `: ${cause}` : ""}`;
    throw new Error(`${method} failed: ${redact(message, config.token)}`);
  }
}

export function describeReply(method: string, reply: TelegramReply): string {
  const outcome = reply.ok ? "ok" : "failed";
  return `${method} ${outcome} (HTTP ${reply.httpStatus}${reply.description ? `: ${reply.description}` : ""})`;
}
