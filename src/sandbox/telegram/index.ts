// Telegram Bot API emulator of the bluegreen sandbox: the webhook behaviour of
// api.telegram.org (see /work/shared/reference/telegram-bot-api.md), several bots at once,
// a webhook delivery engine, and a control API for tests (HTTP under /_control/, and `control`).
import { listen } from "./server.js";
import { isValidTimeScale, Settings } from "./settings.js";
import type { TelegramEmulator, TelegramEmulatorOptions } from "./types.js";
import { TelegramWorld } from "./world.js";

export { ControlError } from "./control-error.js";
export type {
  BotIdentity,
  CallRecord,
  DeliveryRecord,
  FaultSpec,
  InjectedUpdate,
  MessageRecord,
  StreamSpec,
  StreamStatus,
  TelegramControl,
  TelegramEmulator,
  TelegramEmulatorOptions,
  UpdateRecord,
} from "./types.js";

export async function startTelegramEmulator(opts: TelegramEmulatorOptions = {}): Promise<TelegramEmulator> {
  const timeScale = opts.timeScale ?? 1;
  if (!isValidTimeScale(timeScale)) throw new Error("timeScale must be a number > 0");
  const interval = opts.setWebhookIntervalMs ?? 1000;
  if (!(Number.isFinite(interval) && interval >= 0)) throw new Error("setWebhookIntervalMs must be a number >= 0");
  const settings = new Settings(timeScale, opts.mode ?? "local", opts.deliveryTimeoutMs, interval);
  const world = new TelegramWorld(settings);
  for (const bot of opts.bots ?? []) world.addBot(bot);
  const host = opts.host ?? "127.0.0.1";
  const running = await listen(world, host, opts.port ?? 0);
  const urlHost = host.includes(":") ? `[${host}]` : host;
  let stopped: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${running.port}`,
    port: running.port,
    control: world,
    stop: () => {
      stopped ??= (async () => {
        world.stop();
        await running.close();
      })();
      return stopped;
    },
  };
}
