// setWebhook / deleteWebhook, in the order of events of the real server (Client.cpp):
// rate limit -> "already set" -> end a pending long poll -> close the old webhook ->
// drop pending updates (if asked) -> parse the url -> secret token -> scheme and port ->
// ip_address -> set. Every refusal after the close therefore leaves the bot with no webhook at
// all, as on Telegram: the caller must set its webhook again.
import { ApiError, type ApiOkBody, conflict, ok, tooManyRequests } from "../envelope.js";
import { parseBool } from "../params.js";
import { checkIpAddress, checkSecretToken, readWebhookParams } from "../webhook-params.js";
import { checkWebhookUrl, parseWebhookUrl } from "../webhook-url.js";
import type { BotRuntime, MethodContext } from "./context.js";

/** Closing a webhook forgets its last error and aborts its in-flight requests. */
function closeWebhook(bot: BotRuntime, now: number): void {
  bot.state.webhook = null;
  bot.state.lastError = null;
  bot.state.nextGeneration();
  bot.engine.webhookChanged(now);
}

/**
 * What a setWebhook that Telegram goes on to refuse has already done: the long poll is ended and
 * the old webhook closed. Injected 400 faults on setWebhook do this too, so a test of a refused
 * setWebhook sees what production would: no webhook at all.
 */
export function closeBeforeRefusal(bot: BotRuntime): void {
  bot.state.poll.terminate(conflict("terminated by setWebhook request"));
  if (bot.state.webhook !== null) closeWebhook(bot, Date.now());
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

  // 1. One call per second per bot, in real time at every time scale; a faster one changes nothing.
  const tick = performance.now();
  if (tick - state.lastSetWebhookAt < ctx.settings.setWebhookIntervalMs) throw tooManyRequests(1);
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

  // 3. A pending getUpdates long poll ends. 4. The old webhook is closed first.
  closeBeforeRefusal(ctx.bot);
  if (dropPending) state.store.dropAll();
  // 5. Only now is the new webhook checked.
  const parsed = parseWebhookUrl(url);
  if (parsed instanceof ApiError) throw parsed;
  const refusal = checkSecretToken(params.secretToken) ?? checkWebhookUrl(parsed, ctx.settings.mode) ?? checkIpAddress(params.ipAddress);
  if (refusal !== undefined) throw refusal;

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
