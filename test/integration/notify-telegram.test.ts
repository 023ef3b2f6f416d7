// notifyOutcome against the sandbox's Telegram emulator: sendMessage with the environment's own bot
// token (or notify's own), the message visible in /_control/messages; a bad chat is reported, not thrown.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadEnvironmentText } from "../../src/config/load.js";
import type { Config } from "../../src/config/types.js";
import { notifyOutcome } from "../../src/notify/index.js";
import { startTelegramEmulator, type TelegramEmulator } from "../../src/sandbox/telegram/index.js";
import { minimalEnvironmentYaml } from "../fixtures/minimal-environment.js";

const BOT = "123456789:TEST-bot-token-aaaaaaaaaaaaaaaaaaaaaaaaa";
const OPS_BOT = "987654321:TEST-bot-token-opsaaaaaaaaaaaaaaaaaaaaa";
let tg: TelegramEmulator;

beforeAll(async () => {
  tg = await startTelegramEmulator({
    bots: [
      { token: BOT, id: 123456789, username: "shop_bot" },
      { token: OPS_BOT, id: 987654321, username: "ops_bot" },
    ],
  });
});
afterAll(async () => {
  await tg.stop();
});

function config(notify: string): Config {
  const yaml = `${minimalEnvironmentYaml({ apiBase: tg.url, webhookUrl: "http://127.0.0.1:8080/telegram/{colour}" })}${notify}`;
  const r = loadEnvironmentText(yaml, "/srv/environments/production.yaml", { TELEGRAM_BOT_TOKEN: BOT, OPS_BOT_TOKEN: OPS_BOT });
  if (!r.ok) throw new Error(r.errors.join("\n"));
  return r.config;
}

async function messages(token: string): Promise<{ chat_id: number; text: string }[]> {
  const res = await fetch(`${tg.url}/_control/messages?token=${encodeURIComponent(token)}`);
  return ((await res.json()) as { chat_id: number; text: string }[]).map(({ chat_id, text }) => ({ chat_id, text }));
}

const ROLLED_BACK = {
  command: "release",
  environment: "production",
  outcome: "rolled-back",
  releaseId: "r-2",
  image: "bot:v2",
  colour: "green",
  from: "blue",
  reason: "bake failed: Telegram reports webhook delivery errors since the cutover",
} as const;

describe("notify through the Telegram emulator", () => {
  it("sends with the released bot's own token by default", async () => {
    const c = config("notify:\n  telegram: { chatId: -1001234567890 }\n");
    expect(c.notify?.telegram?.botToken).toBe(BOT);
    expect(await notifyOutcome(c, ROLLED_BACK)).toEqual({ sent: ["telegram"], failed: [] });
    expect(await messages(BOT)).toEqual([
      {
        chat_id: -1001234567890,
        text: "↩️ production: release r-2 (bot:v2) rolled back automatically: bake failed: Telegram reports webhook delivery errors since the cutover; blue is live again",
      },
    ]);
  });

  it("sends with notify's own bot when it has one", async () => {
    const c = config('notify:\n  telegram: { chatId: 42, botToken: "${env:OPS_BOT_TOKEN}" }\n');
    expect(await notifyOutcome(c, { ...ROLLED_BACK, outcome: "released" })).toEqual({ sent: ["telegram"], failed: [] });
    expect(await messages(OPS_BOT)).toEqual([{ chat_id: 42, text: "✅ production: released r-2 (bot:v2) on green" }]);
  });

  it("reports Telegram's refusal without the token and without throwing", async () => {
    const c = config('notify:\n  telegram: { chatId: "@no_such_channel" }\n');
    const r = await notifyOutcome(c, ROLLED_BACK);
    expect(r).toEqual({ sent: [], failed: ["telegram: sendMessage answered HTTP 400: Bad Request: chat not found"] });
  });
});
