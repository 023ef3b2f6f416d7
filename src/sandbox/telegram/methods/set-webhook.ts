// setWebhook / deleteWebhook, in the order of events of the reference:
// rate limit -> "already set" -> end a pending long poll -> close the old webhook ->
// drop pending updates (if asked) -> validate the url -> set. A url that fails validation
// therefore leaves the bot with no webhook at all, as on Telegram.
import { ApiError, type ApiOkBody, conflict, ok, tooManyRequests } from "../envelope.js";
import { parseBool } from "../params.js";
import { readWebhookParams } from "../webhook-params.js";
import { validateWebhookUrl } from "../webhook-url.js";
import type { BotRuntime, MethodContext } from "./context.js";

/** Closing a webhook forgets its last error and aborts its in-flight requests. */
function closeWebhook(bot: BotRuntime, now: number): void {
  bot.state.webhook = null;
  bot.state.lastError = null;
  bot.state.nextGeneration();
  bot.engine.webhookChanged(now);
}

export function deleteWebhook(ctx: MethodContext): ApiOkBody {
  const { state } = ctx.bot;
  const hadWebhook = state.webhook !== null;
  // deleteWebhook is never rate-limited.
  if (hadWebhook) closeWebhook(ctx.bot, Date.now());
  if (parseBool(ctx.params.args.get("drop_pending_updates"))) state.store.dropAll();
  return ok(true, hadWebhook ? "Webhook was deleted" : "Webhook is already deleted");
}

export function setWebhook(ctx: MethodContext): ApiOkBody {
  const url = ctx.params.args.get("url") ?? "";
  if (url === "") return deleteWebhook(ctx);
  const { state, engine } = ctx.bot;
  const now = Date.now();

  // 1. One call per second per bot; a faster one changes nothing. A monotonic sub-millisecond
  // clock keeps tiny time scales exact.
  const tick = performance.now();
  if (tick - state.lastSetWebhookAt < ctx.settings.scaledMs(1)) throw tooManyRequests(1);
  state.lastSetWebhookAt = tick;

  const params = readWebhookParams(ctx.params);
  const dropPending = parseBool(ctx.params.args.get("drop_pending_updates"));

  // 2. Nothing changes: only allowed_updates may still be updated.
  const cur = state.webhook;
  if (
    cur !== null &&
    !dropPending &&
    cur.url === url &&
    cur.secretToken === params.secretToken &&
    cur.maxConnections === params.maxConnections &&
    cur.ipAddress === params.ipAddress &&
    !params.hasCertificate &&
    !cur.hasCertificate
  ) {
    if (params.allowedUpdates !== undefined) state.allowedUpdates = params.allowedUpdates;
    return ok(true, "Webhook is already set");
  }

  // 3. A pending getUpdates long poll ends.
  state.poll.terminate(conflict("terminated by setWebhook request"));
  // 4. The old webhook is closed first, pending updates dropped if asked, then the url validated.
  if (cur !== null) closeWebhook(ctx.bot, now);
  if (dropPending) state.store.dropAll();
  const parsed = validateWebhookUrl(url, ctx.settings.mode);
  if (parsed instanceof ApiError) throw parsed;

  state.webhook = {
    url,
    parsed,
    secretToken: params.secretToken,
    maxConnections: params.maxConnections,
    ipAddress: params.ipAddress,
    hasCertificate: params.hasCertificate,
    generation: state.nextGeneration(),
  };
  state.lastError = null;
  if (params.allowedUpdates !== undefined) state.allowedUpdates = params.allowedUpdates;
  engine.webhookChanged(now);
  return ok(true, "Webhook was set");
}
