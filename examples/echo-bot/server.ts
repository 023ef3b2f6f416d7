import { appendFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { BotConfig } from "./config.js";
import { logError, logInfo } from "./log.js";
import { callTelegram, describeReply } from "./telegram-client.js";
import type { VariantBehaviour } from "./variants.js";

const MAX_BODY_BYTES = 1024 * 1024;
const SECRET_HEADER = "x-telegram-bot-api-secret-token";

interface Update {
  update_id?: unknown;
  message?: { chat?: { id?: unknown }; text?: unknown };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on("end", () => resolve(size > MAX_BODY_BYTES ? null : Buffer.concat(chunks).toString("utf8")));
    req.on("error", () => resolve(null));
  });
}

function parseUpdate(text: string): Update | null {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Update) : null;
  } catch {
    return null;
  }
}

export function record(config: BotConfig, updateId: unknown): void {
  if (!config.recordFile) return;
  const line = { updateId, variant: config.variant, pid: process.pid, at: new Date().toISOString() };
  // One short O_APPEND write per update: lines of concurrent bots never interleave.
  appendFileSync(config.recordFile, `${JSON.stringify(line)}\n`);
}

export async function echo(config: BotConfig, update: Update): Promise<void> {
  const chatId = update.message?.chat?.id;
  const text = update.message?.text;
  if ((typeof chatId !== "number" && typeof chatId !== "string") || typeof text !== "string") return;
  try {
    const reply = await callTelegram(config, "sendMessage", { chat_id: chatId, text: `echo: ${text}` });
    if (!reply.ok) logError(describeReply("sendMessage", reply));
  } catch (error) {
    logError((error as Error).message);
  }
}

export function createBotServer(config: BotConfig, behaviour: VariantBehaviour): Server {
  let acknowledged = 0;

  async function onWebhook(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    if (config.webhookSecret !== undefined && req.headers[SECRET_HEADER] !== config.webhookSecret) {
      logError(`webhook ${req.url ?? ""}: wrong or missing secret token`);
      return sendJson(res, 401, { ok: false, error: "unauthorized" });
    }
    const failure = behaviour.webhookFailure();
    if (failure !== null) {
      logError(`webhook ${req.url ?? ""}: answering ${failure}`);
      return sendJson(res, failure, { ok: false, error: "internal error" });
    }
    const update = body === null ? null : parseUpdate(body);
    if (update === null) return sendJson(res, 400, { ok: false, error: "body is not a JSON update" });
    record(config, update.update_id);
    const count = ++acknowledged;
    res.on("finish", () => behaviour.afterAcknowledged(count));
    sendJson(res, 200, { ok: true });
    logInfo(`update ${String(update.update_id)} acknowledged (${count} so far)`);
    void echo(config, update);
  }

  return createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method === "GET" && path === "/health") {
      const failure = behaviour.healthFailure();
      if (failure) return sendJson(res, failure.status, failure.body);
      return sendJson(res, 200, { status: "ok", mode: config.mode === "polling" ? "polling" : behaviour.mode, version: config.variant });
    }
    if (req.method === "POST") {
      onWebhook(req, res).catch((error: unknown) => {
        logError(`webhook handler: ${(error as Error).message}`);
        if (!res.headersSent) sendJson(res, 500, { ok: false });
      });
      return;
    }
    sendJson(res, 404, { ok: false, error: "not found" });
  });
}
