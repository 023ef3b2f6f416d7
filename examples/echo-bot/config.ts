// Environment of the sample bot. Kept free of imports outside this folder so the compiled
// folder can be copied into a container image on its own.

export const BOT_VARIANTS = [
  "v1",
  "v2",
  "v3",
  "crash-on-boot",
  "unhealthy",
  "crash-after-10",
  "webhook-500",
  "sets-webhook",
  "deletes-webhook",
  "memory-hog",
  "slow-boot",
  "wrong-port",
  "polling-mode",
  "deletes-webhook-on-stop",
  "webhook-500-deletes-on-stop",
  "sets-webhook-late",
  // Pollers (POLLER_VARIANTS, BOT_MODE=polling implied): getUpdates with offset confirmation, no HTTP server.
  "polling-v1",
  "polling-v2",
  "polling-crash-on-boot",
  "polling-crash-after-10",
] as const;

export type BotVariant = (typeof BOT_VARIANTS)[number];

/** Variants whose image is a poller whatever BOT_MODE says ("polling-mode" is a webhook server that deletes the webhook). */
export const POLLER_VARIANTS = ["polling-v1", "polling-v2", "polling-crash-on-boot", "polling-crash-after-10"] as const;

export type BotMode = "webhook" | "polling";

export interface BotConfig {
  /** webhook: an HTTP server takes POSTed updates; polling: a getUpdates loop (POLLER_VARIANTS always poll). */
  mode: BotMode;
  /** Polling only: also serve GET /health (BOT_HEALTH_SERVER=1); a webhook bot always does. */
  healthServer: boolean;
  port: number;
  host: string;
  variant: BotVariant;
  token: string | undefined;
  apiBase: string;
  webhookSecret: string | undefined;
  webhookUrl: string | undefined;
  recordFile: string | undefined;
  timeScale: number;
}

export function isBotVariant(value: string): value is BotVariant {
  return (BOT_VARIANTS as readonly string[]).includes(value);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === "" ? undefined : value;
}

/** Throws an Error whose message is safe to print (never contains the token). */
export function readBotConfig(env: Record<string, string | undefined>): BotConfig {
  const variant = nonEmpty(env.BOT_VARIANT) ?? "v1";
  if (!isBotVariant(variant)) {
    throw new Error(`unknown BOT_VARIANT "${variant}" (known: ${BOT_VARIANTS.join(", ")})`);
  }
  const modeText = nonEmpty(env.BOT_MODE) ?? "webhook";
  if (modeText !== "webhook" && modeText !== "polling") throw new Error(`BOT_MODE must be webhook or polling, got "${modeText}"`);
  // The image decides for polling-* variants, as a bot built on run_polling() ignores BOT_MODE.
  const mode: BotMode = (POLLER_VARIANTS as readonly string[]).includes(variant) ? "polling" : modeText;
  const portText = nonEmpty(env.PORT) ?? "5000";
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`PORT must be an integer 1..65535, got "${portText}"`);
  }
  const scaleText = nonEmpty(env.BOT_TIME_SCALE) ?? "1";
  const timeScale = Number(scaleText);
  if (!Number.isFinite(timeScale) || timeScale < 0) {
    throw new Error(`BOT_TIME_SCALE must be a number >= 0, got "${scaleText}"`);
  }
  return {
    mode,
    healthServer: mode === "webhook" || ["1", "true", "on"].includes(nonEmpty(env.BOT_HEALTH_SERVER) ?? ""),
    port,
    host: nonEmpty(env.HOST) ?? "0.0.0.0",
    variant,
    token: nonEmpty(env.TELEGRAM_BOT_TOKEN),
    apiBase: (nonEmpty(env.TELEGRAM_API_BASE) ?? "https://api.telegram.org").replace(/\/+$/, ""),
    webhookSecret: nonEmpty(env.TELEGRAM_WEBHOOK_SECRET),
    webhookUrl: nonEmpty(env.WEBHOOK_URL),
    recordFile: nonEmpty(env.BOT_RECORD_FILE),
    timeScale,
  };
}
