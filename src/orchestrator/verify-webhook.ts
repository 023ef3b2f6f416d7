// The webhook is verified last. A bot may call deleteWebhook when `docker stop` sends it SIGTERM
// (aiogram's on_shutdown) or setWebhook late after start-up, so after every container stop we
// perform, and before any outcome is reported, getWebhookInfo is read back; a webhook that is not
// where it should be is put back (certificate included), then watched for gates.settle so a second
// replica's late call is caught too. What was restored is said in the output and the history
// (ctx.webhookNotes). If it cannot be put back, the outcome is exit 3 with the exact state.
import pRetry from "p-retry";
import type { Colour, UnmanagedRef } from "../domain/types.js";
import { RollbackFailedError } from "../errors.js";
import type { WebhookInfo } from "../ports.js";
import { redact } from "../util/redact.js";
import { setUnmanagedWebhook } from "./adopt.js";
import type { Ctx } from "./context.js";
import { webhookSettingsMatch } from "./observe.js";
import { restoreWebhook, setWebhookFor } from "./webhook.js";

/**
 * Where the webhook must be: a colour's URL with our settings (`mode`: that colour's own mode when it
 * differs from the environment's, during or after a mode switch), the unmanaged release's URL (with
 * our secret, max connections, allowed updates and certificate, as the return to it sets them), or
 * (no live colour) what it was before the run.
 */
export type WebhookTarget = { colour: Colour; mode?: "webhook" | "polling" } | { unmanaged: UnmanagedRef } | { before: WebhookInfo };

/** Restores in one watch before we stop fighting a bot that keeps moving the webhook. */
const MAX_RESTORES = 3;

/** `mode`: the live colour's own mode when it differs from the environment's (a mode switch). */
export function webhookTargetFor(live: Colour | null, before: WebhookInfo, mode?: "webhook" | "polling"): WebhookTarget {
  return live !== null ? { colour: live, ...(mode !== undefined ? { mode } : {}) } : { before };
}

/** Polling mode: the webhook must stay deleted (getUpdates fails while one is set), whatever colour serves. */
const NO_WEBHOOK: WebhookInfo = { url: "", hasCustomCertificate: false, pendingUpdateCount: 0 };
function forMode(ctx: Ctx, t: WebhookTarget): WebhookTarget {
  if (!("colour" in t)) {
    // Nothing of ours was live: put back what the run found, in either mode. In polling mode that is
    // no webhook or the environment's own (refuseForeignWebhook turned any other away), and a
    // polling release that failed before its handover leaves it exactly as found.
    return t;
  }
  // A colour in the other mode (during or after a mode switch) says which rule holds.
  const mode = t.mode ?? ctx.settings.mode;
  return mode === "polling" ? { before: NO_WEBHOOK } : { colour: t.colour, mode };
}

export function describeTarget(ctx: Ctx, t: WebhookTarget): string {
  if ("colour" in t) return ctx.settings.webhook.urls[t.colour];
  const url = "unmanaged" in t ? t.unmanaged.webhookUrl : t.before.url;
  return url === "" ? "(no webhook)" : url;
}

const describeInfo = (info: WebhookInfo): string => (info.url === "" ? "deleted (no webhook)" : `set to ${info.url}`);
const why = (e: unknown): string => redact(e instanceof Error ? e.message : String(e));

export function webhookMatches(ctx: Ctx, info: WebhookInfo, t: WebhookTarget): boolean {
  if ("colour" in t) return info.url === ctx.settings.webhook.urls[t.colour] && webhookSettingsMatch(ctx, info);
  if ("unmanaged" in t) return info.url === t.unmanaged.webhookUrl && (info.url === "" || webhookSettingsMatch(ctx, info));
  return info.url === t.before.url;
}

async function readWebhook(ctx: Ctx): Promise<WebhookInfo | null> {
  try {
    // The adapter already retries transient failures; one more round covers a blip between stops.
    // A Telegram that does not answer gets gates.timeout, not the adapter's retries times its timeout.
    const signal = AbortSignal.timeout(ctx.settings.gates.timeoutMs);
    const info = await pRetry(() => ctx.telegram.getWebhookInfo({ signal }), { retries: 1, minTimeout: 200, randomize: false, signal });
    ctx.lastWebhook = info;
    return info;
  } catch {
    return null;
  }
}

async function putBack(ctx: Ctx, t: WebhookTarget): Promise<void> {
  if ("colour" in t) await setWebhookFor(ctx, t.colour);
  else if ("unmanaged" in t) await setUnmanagedWebhook(ctx, t.unmanaged);
  else await restoreWebhook(ctx, t.before, null);
}

function cannotRestore(ctx: Ctx, t: WebhookTarget, seen: WebhookInfo | null, detail: string): RollbackFailedError {
  const env = ctx.settings.environment;
  const state = seen === null ? "in an unknown state (Telegram did not answer getWebhookInfo)" : describeInfo(seen);
  return new RollbackFailedError(
    `the webhook is ${state} and could not be restored to ${describeTarget(ctx, t)}: ${detail}`,
    `run \`bluegreen rollback ${env}\` once Telegram answers (it puts the recorded live release back on both switches), or set it by hand: curl -F url=${describeTarget(ctx, t)} https://api.telegram.org/bot<token>/setWebhook; then \`bluegreen status ${env}\``,
  );
}

/** Record a restore for the output (a step event now) and the result and history (ctx.webhookNotes). */
export function noteWebhookRestored(ctx: Ctx, message: string): void {
  ctx.webhookNotes ??= [];
  ctx.webhookNotes.push(message);
  ctx.reporter.step({ step: "webhook", status: "info", message });
}

/**
 * Read the webhook back after `after` (e.g. "stopping the green containers"); put it back if it
 * moved, then watch it for the settle window. Returns whether it had to be restored.
 */
export async function verifyWebhook(ctx: Ctx, target: WebhookTarget, after: string, opts: { settle?: boolean } = {}): Promise<boolean> {
  const t = forMode(ctx, target);
  const seen = await readWebhook(ctx);
  if (seen !== null && webhookMatches(ctx, seen, t)) {
    if (opts.settle === true) await settleWebhook(ctx, t, ctx.clock.now() + ctx.settings.gates.settleMs);
    return false;
  }
  try {
    await putBack(ctx, t);
  } catch (e) {
    throw cannotRestore(ctx, t, seen, why(e));
  }
  if (seen === null) {
    // Unread but re-set after the stop: Telegram confirmed the set, so it is where it should be.
    noteWebhookRestored(ctx, `Telegram did not answer getWebhookInfo after ${after}; the webhook was set again to ${describeTarget(ctx, t)}`);
    return true;
  }
  noteWebhookRestored(ctx, `after ${after} the webhook was ${describeInfo(seen)}; bluegreen restored it to ${describeTarget(ctx, t)}`);
  await settleWebhook(ctx, t, ctx.clock.now() + ctx.settings.gates.settleMs);
  return true;
}

/**
 * Watch the webhook until `until`, putting it back whenever it moved (a second replica's call may
 * arrive after the first restore). Telegram allows one setWebhook per second; the adapter waits
 * out a 429's retry_after.
 */
export async function settleWebhook(ctx: Ctx, target: WebhookTarget, until: number): Promise<void> {
  const t = forMode(ctx, target);
  let restores = 0;
  let last: WebhookInfo | null = null;
  for (;;) {
    const left = until - ctx.clock.now();
    if (left <= 0) break;
    await ctx.clock.sleep(Math.min(ctx.settings.gates.intervalMs, left));
    last = await readWebhook(ctx);
    if (last === null || webhookMatches(ctx, last, t)) continue;
    restores += 1;
    if (restores > MAX_RESTORES)
      throw cannotRestore(ctx, t, last, `something moved it ${restores} times within gates.settle (${Math.round(ctx.settings.gates.settleMs / 1000)}s)`);
    try {
      await putBack(ctx, t);
    } catch (e) {
      throw cannotRestore(ctx, t, last, why(e));
    }
    noteWebhookRestored(ctx, `during the settle window the webhook was ${describeInfo(last)}; bluegreen restored it to ${describeTarget(ctx, t)}`);
  }
}
