// Shared set-up of the delivery-engine contract suites: a fresh emulator per test (scale 0.002:
// retry waits 0, 4, 8, 16, 32, 64, 128 ms, then 120-240 ms; the real-time setWebhook rate limit off,
// as these suites change urls back to back), receivers stopped
// after each test, and small readers over the emulator's update records.
import { afterEach, beforeEach } from "vitest";
import { startTelegramEmulator, type TelegramEmulator } from "../../src/sandbox/telegram/index.js";
import { api, BOT_A, TOKEN_A } from "./telegram-harness.js";
import { type Receiver, type Replier, startReceiver } from "./telegram-receiver.js";

export interface DeliveryWorld {
  readonly emu: TelegramEmulator;
  receiver(reply?: Replier): Promise<Receiver>;
  emulator(timeScale: number): Promise<TelegramEmulator>;
  set(params: Record<string, unknown>, e?: TelegramEmulator): ReturnType<typeof api>;
  updates(): ReturnType<TelegramEmulator["control"]["getUpdates"]>;
  allAcked(n: number): () => boolean;
}

export const chatOf = (r: { json: { message: { chat: { id: number } } } }) => r.json.message.chat.id;
export const idOf = (r: { json: { update_id: number } }) => r.json.update_id;

export function deliveryWorld(timeScale = 0.002): DeliveryWorld {
  let current: TelegramEmulator | undefined;
  const receivers: Receiver[] = [];
  const emulators: TelegramEmulator[] = [];
  const emulator = async (scale: number) => {
    const e = await startTelegramEmulator({ timeScale: scale, deliveryTimeoutMs: 5000, setWebhookIntervalMs: 0, bots: [BOT_A] });
    emulators.push(e);
    return e;
  };
  beforeEach(async () => {
    current = await emulator(timeScale);
  });
  afterEach(async () => {
    await Promise.all(emulators.splice(0).map((e) => e.stop()));
    await Promise.all(receivers.splice(0).map((r) => r.stop()));
  });
  const world: DeliveryWorld = {
    get emu() {
      if (current === undefined) throw new Error("no emulator: deliveryWorld() must be called at the top of a test file");
      return current;
    },
    receiver: async (reply) => {
      const r = await startReceiver(reply);
      receivers.push(r);
      return r;
    },
    emulator,
    set: (params, e) => api((e ?? world.emu).url, TOKEN_A, "setWebhook", params),
    updates: () => world.emu.control.getUpdates(TOKEN_A),
    allAcked: (n) => () => {
      const u = world.updates();
      return u.length === n && u.every((x) => x.acknowledged);
    },
  };
  return world;
}
