// The updates every rehearsal posts: the bot commands every bot must survive (/start, /help, an
// unknown command) and a button press (callback_query), then the environment's smoke updates and
// the operator's own (--updates DIR).
import { readdir, readFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { UsageError } from "../errors.js";

const CHAT = { id: 4242, type: "private", first_name: "Rehearsal" };
const FROM = { id: 4242, is_bot: false, first_name: "Rehearsal" };

function command(updateId: number, text: string, now: number): string {
  const word = text.split(" ")[0] ?? text;
  return JSON.stringify({
    update_id: updateId,
    message: {
      message_id: updateId,
      date: Math.floor(now / 1000),
      chat: CHAT,
      from: FROM,
      text,
      entities: [{ type: "bot_command", offset: 0, length: word.length }],
    },
  });
}

export function builtinUpdates(now = Date.now()): { name: string; body: string }[] {
  return [
    { name: "/start", body: command(900_000_001, "/start", now) },
    { name: "/help", body: command(900_000_002, "/help", now) },
    {
      name: "callback_query",
      body: JSON.stringify({
        update_id: 900_000_003,
        callback_query: {
          id: "rehearsal-1",
          from: FROM,
          chat_instance: "4242",
          data: "rehearsal",
          message: { message_id: 1, date: Math.floor(now / 1000), chat: CHAT, text: "menu" },
        },
      }),
    },
    { name: "unknown command", body: command(900_000_004, "/rehearsal_unknown_command", now) },
  ];
}

/** Every *.json in DIR (sorted by name), each a JSON object; a bad file is a usage error naming it. */
export async function updatesFromDir(dir: string): Promise<{ name: string; body: string }[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((f) => f.endsWith(".json")).sort();
  } catch (e) {
    throw new UsageError(
      `--updates ${dir}: cannot read the folder (${(e as Error).message})`,
      "pass a folder of JSON update files (one Telegram Update object per file)",
    );
  }
  if (names.length === 0) throw new UsageError(`--updates ${dir}: no .json files in it`, "put one Telegram Update object per .json file in the folder");
  return Promise.all(names.map((n) => updateFile(join(dir, n), "--updates")));
}

export async function updateFile(path: string, origin: string): Promise<{ name: string; body: string }> {
  const body = await readFile(path, "utf8");
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (e) {
    throw new UsageError(
      `${origin} ${path}: not JSON (${(e as Error).message})`,
      'each file holds one Telegram Update object, e.g. {"update_id": 1, "message": {...}}',
    );
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new UsageError(`${origin} ${path}: not a JSON object`, 'each file holds one Telegram Update object, e.g. {"update_id": 1, "message": {...}}');
  }
  return { name: basename(path), body };
}
