// The Bot API methods the emulator implements, by lowercase name (method names are
// case-insensitive on Telegram).
import type { MethodHandler } from "./context.js";
import { getUpdates } from "./get-updates.js";
import { getMe, sendMessage } from "./messages.js";
import { deleteWebhook, setWebhook } from "./set-webhook.js";
import { getWebhookInfo } from "./webhook-info.js";

export interface MethodEntry {
  name: string;
  handler: MethodHandler;
}

const entries: MethodEntry[] = [
  { name: "getMe", handler: getMe },
  { name: "setWebhook", handler: setWebhook },
  { name: "deleteWebhook", handler: deleteWebhook },
  { name: "getWebhookInfo", handler: getWebhookInfo },
  { name: "getUpdates", handler: getUpdates },
  { name: "sendMessage", handler: sendMessage },
];

const byLowerName = new Map(entries.map((e) => [e.name.toLowerCase(), e]));

export function findMethod(name: string): MethodEntry | undefined {
  return byLowerName.get(name.toLowerCase());
}

export type { BotRuntime, MethodContext, MethodHandler } from "./context.js";
