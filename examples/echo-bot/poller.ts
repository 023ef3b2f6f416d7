// Polling mode: a getUpdates long-poll loop, like python-telegram-bot's run_polling(). Each update
// is handled, then confirmed by the next call's offset; an update handed out but never confirmed
// (the poller died) is handed out again, so delivery is at least once. A 409 (a webhook is set,
// or another poller's newer getUpdates ended ours) is retried after a short pause, as PTB does.
import type { BotConfig } from "./config.js";
import { logError, logInfo, redact } from "./log.js";

interface Update {
  update_id: number;
  message?: { chat?: { id?: unknown }; text?: unknown };
}

interface GetUpdatesReply {
  status: number;
  ok: boolean;
  result: Update[];
  description: string | undefined;
}

const POLL_TIMEOUT_S = 10;
const CONFLICT_PAUSE_MS = 250;
const ERROR_PAUSE_MS = 1000;

async function getUpdates(config: BotConfig, payload: Record<string, unknown>, signal: AbortSignal): Promise<GetUpdatesReply> {
  const url = `${config.apiBase}/bot${config.token ?? ""}/getUpdates`;
  try {
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(payload),
      signal: AbortSignal.any([signal, AbortSignal.timeout((POLL_TIMEOUT_S + 10) * 1000)]),
    });
    const body = (await res.json().catch(() => ({}))) as { ok?: unknown; result?: unknown; description?: unknown };
    return {
      status: res.status,
      ok: body.ok === true,
      result: Array.isArray(body.result) ? (body.result as Update[]) : [],
      description: typeof body.description === "string" ? body.description : undefined,
    };
  } catch (error) {
    throw new Error(`getUpdates failed: ${redact((error as Error).message, config.token)}`);
  }
}

const pause = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(t);
      resolve();
    });
  });

export interface Poller {
  /** Ends the loop, then confirms what was handled (one getUpdates with the offset), like PTB's stop(). */
  stop(): Promise<void>;
}

export function startPoller(config: BotConfig, handle: (update: Update) => void): Poller {
  if (!config.token) throw new Error("polling needs TELEGRAM_BOT_TOKEN");
  const stopping = new AbortController();
  let offset = 0;
  let conflicts = 0;
  const loop = (async () => {
    logInfo(`echo-bot ${config.variant} polling ${redact(config.apiBase)} (pid ${process.pid})`);
    while (!stopping.signal.aborted) {
      let reply: GetUpdatesReply;
      try {
        reply = await getUpdates(config, { offset, timeout: POLL_TIMEOUT_S, limit: 100 }, stopping.signal);
      } catch (error) {
        if (stopping.signal.aborted) break;
        logError((error as Error).message);
        await pause(ERROR_PAUSE_MS, stopping.signal);
        continue;
      }
      if (reply.status === 409) {
        // Harmless while a webhook is set or during a handover; log the first of a run only.
        if (conflicts++ === 0) logInfo(`getUpdates: 409 ${reply.description ?? ""}; retrying`);
        await pause(CONFLICT_PAUSE_MS, stopping.signal);
        continue;
      }
      conflicts = 0;
      if (!reply.ok) {
        logError(`getUpdates: HTTP ${reply.status} ${reply.description ?? ""}`);
        await pause(ERROR_PAUSE_MS, stopping.signal);
        continue;
      }
      for (const update of reply.result) {
        handle(update);
        offset = Math.max(offset, update.update_id + 1);
      }
    }
  })();
  return {
    stop: async () => {
      stopping.abort();
      await loop;
      if (offset === 0) return;
      // Confirm everything handled; limit 1 + timeout 0 hands out at most one update, unconfirmed, to nobody.
      await getUpdates(config, { offset, timeout: 0, limit: 1 }, new AbortController().signal).then(
        (r) => logInfo(`confirmed updates below ${offset} (HTTP ${r.status})`),
        (error: unknown) => logError((error as Error).message),
      );
    },
  };
}
