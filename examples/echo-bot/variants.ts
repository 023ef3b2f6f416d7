import type { BotConfig } from "./config.js";
import { logError, logInfo } from "./log.js";
import { callTelegram, describeReply } from "./telegram-client.js";

/** How one variant deviates from the healthy bot. The server asks these at each request. */
export interface VariantBehaviour {
  /** null = healthy; otherwise the status and body /health answers with. */
  healthFailure(): { status: number; body: Record<string, unknown> } | null;
  /** null = handle the update; otherwise the status webhooks answer with (update not recorded). */
  webhookFailure(): number | null;
  /** Called once the Nth update's 200 has been handed to the socket. */
  afterAcknowledged(count: number): void;
  /** Called once the server listens. */
  onListening(): void;
  /** The mode /health reports: a bot that came up polling says so. */
  mode: "webhook" | "polling";
  /** Called the first time /health answers 200. */
  onFirstHealthy(): void;
  /** Called on SIGTERM/SIGINT before the bot exits (a framework's shutdown hook). */
  onShutdown(): Promise<void>;
}

/** wrong-port: the image's server listens here whatever PORT says (a Dockerfile that drifted from container.port). */
export const WRONG_PORT = 8080;

const SLOW_BOOT_MS = 20_000;
const LATE_WEBHOOK_MS = 3_000;
const HOG_CHUNK_BYTES = 3 * 1024 * 1024; // every 100 ms -> ~30 MB/s
const HOG_INTERVAL_MS = 100;

function healthy(): VariantBehaviour {
  return {
    healthFailure: () => null,
    webhookFailure: () => null,
    afterAcknowledged: () => {},
    onListening: () => {},
    mode: "webhook",
    onFirstHealthy: () => {},
    onShutdown: async () => {},
  };
}

/** The bot's own setWebhook payload: its own address (WEBHOOK_URL, else http://HOST:PORT/webhook). */
function ownWebhook(config: BotConfig): Record<string, unknown> {
  const payload: Record<string, unknown> = { url: config.webhookUrl ?? `http://${config.host}:${config.port}/webhook` };
  if (config.webhookSecret) payload.secret_token = config.webhookSecret;
  return payload;
}

/**
 * The bot's own call to the Bot API. Like the frameworks' flood control (aiogram, telegraf, PTB's
 * rate limiter), a 429 is waited out (its "retry after N") and the call made again, at most three
 * times: Telegram allows one setWebhook per second, so a late call landing right after bluegreen's
 * cutover would otherwise be refused and the test that it is caught would depend on that race.
 */
async function callAtStartup(config: BotConfig, method: string, payload: Record<string, unknown>, attempts = 3): Promise<void> {
  try {
    const reply = await callTelegram(config, method, payload);
    logInfo(describeReply(method, reply));
    if (reply.httpStatus !== 429 || attempts <= 1) return;
    const seconds = Number(/retry after (\d+)/i.exec(reply.description ?? "")?.[1] ?? "1");
    await new Promise((resolve) => setTimeout(resolve, Math.max(1, seconds) * 1000));
    await callAtStartup(config, method, payload, attempts - 1);
  } catch (error) {
    logError((error as Error).message);
  }
}

function hogMemory(): void {
  const held: Buffer[] = [];
  logInfo("memory-hog: allocating ~30 MB/s");
  setInterval(() => {
    // fill() touches every page so the allocation shows up in RSS, not just in virtual size.
    held.push(Buffer.allocUnsafe(HOG_CHUNK_BYTES).fill(0xab));
  }, HOG_INTERVAL_MS);
}

export function variantBehaviour(config: BotConfig, startedAt: number): VariantBehaviour {
  const base = healthy();
  switch (config.variant) {
    case "unhealthy":
      return { ...base, healthFailure: () => ({ status: 503, body: { status: "error" } }) };
    case "webhook-500":
      return { ...base, webhookFailure: () => 500 };
    case "crash-after-10":
      return {
        ...base,
        afterAcknowledged: (count) => {
          if (count < 10) return;
          logError("crash-after-10: exiting after the 10th update");
          process.exit(1);
        },
      };
    case "slow-boot": {
      const readyAt = startedAt + SLOW_BOOT_MS * config.timeScale;
      const booting = () => Date.now() < readyAt;
      return {
        ...base,
        healthFailure: () => (booting() ? { status: 503, body: { status: "starting" } } : null),
        webhookFailure: () => (booting() ? 503 : null),
      };
    }
    case "sets-webhook":
      // Like python-telegram-bot's start_webhook: registers itself as the webhook on start-up.
      return { ...base, onListening: () => void callAtStartup(config, "setWebhook", ownWebhook(config)) };
    case "sets-webhook-late":
      // Like a Flask app whose create_app() calls set_webhook once the app is up: 3 s (x BOT_TIME_SCALE)
      // after /health first answers 200, late enough to miss a check made only at start-up.
      return {
        ...base,
        onFirstHealthy: () => void setTimeout(() => void callAtStartup(config, "setWebhook", ownWebhook(config)), LATE_WEBHOOK_MS * config.timeScale),
      };
    case "deletes-webhook-on-stop":
      // Like aiogram's documented on_shutdown: deleteWebhook when docker stop sends SIGTERM.
      return { ...base, onShutdown: () => callAtStartup(config, "deleteWebhook", {}) };
    case "webhook-500-deletes-on-stop":
      // A bad release (every update 500) whose shutdown hook also deletes the webhook.
      return { ...base, webhookFailure: () => 500, onShutdown: () => callAtStartup(config, "deleteWebhook", {}) };
    case "deletes-webhook":
      // Like a polling bot (start_polling / bot.start()): drops whatever webhook is registered.
      return { ...base, onListening: () => void callAtStartup(config, "deleteWebhook", {}) };
    case "polling-mode":
      // A build that came up polling: /health says so, and it drops the webhook to start getUpdates.
      return { ...base, mode: "polling", onListening: () => void callAtStartup(config, "deleteWebhook", {}) };
    case "memory-hog":
      return { ...base, onListening: hogMemory };
    default:
      return base;
  }
}
