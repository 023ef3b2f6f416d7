// Runnable entry of the Telegram emulator:
//   node dist/src/sandbox/telegram/server-main.js --port N --host H --mode local|strict
//        --time-scale X --delivery-timeout-ms N --bots-file bots.json
// Prints one JSON line {"url":...,"port":...} when listening; stops on SIGTERM/SIGINT.
// bots.json is an array of {token, id, username, firstName?}. Tokens are never printed.
import { readFileSync } from "node:fs";
import { startTelegramEmulator } from "./index.js";
import type { BotIdentity, TelegramEmulatorOptions } from "./types.js";

/** JSON.parse errors quote the text, which holds tokens: report the file only. */
function readBots(file: string): BotIdentity[] {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as BotIdentity[];
  } catch {
    throw new Error(`--bots-file ${file}: not a readable JSON array of bots`);
  }
}

function parseArgs(argv: string[]): TelegramEmulatorOptions {
  const opts: TelegramEmulatorOptions = {};
  for (let i = 0; i < argv.length; i += 2) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (value === undefined) throw new Error(`missing value for ${flag}`);
    switch (flag) {
      case "--port":
        opts.port = Number(value);
        break;
      case "--host":
        opts.host = value;
        break;
      case "--mode":
        if (value !== "local" && value !== "strict") throw new Error("--mode must be local or strict");
        opts.mode = value;
        break;
      case "--time-scale":
        opts.timeScale = Number(value);
        break;
      case "--delivery-timeout-ms":
        opts.deliveryTimeoutMs = Number(value);
        break;
      case "--bots-file":
        opts.bots = readBots(value);
        break;
      default:
        throw new Error(`unknown option ${flag}`);
    }
  }
  return opts;
}

async function main(): Promise<void> {
  const emulator = await startTelegramEmulator(parseArgs(process.argv.slice(2)));
  process.stdout.write(`${JSON.stringify({ url: emulator.url, port: emulator.port })}\n`);
  const shutdown = (): void => {
    emulator.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGTERM", shutdown);
  process.once("SIGINT", shutdown);
}

main().catch((e: unknown) => {
  process.stderr.write(`telegram emulator: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(2);
});
