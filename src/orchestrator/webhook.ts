// Moving the Telegram webhook. A setWebhook that fails validation leaves the bot with NO webhook
// (Telegram closes the old one first), so every failure path here re-sets a known URL.
import type { Colour } from "../domain/types.js";
import type { WebhookInfo } from "../ports.js";
import type { Ctx } from "./context.js";

export async function setWebhookFor(ctx: Ctx, colour: Colour): Promise<void> {
  const w = ctx.settings.webhook;
  await ctx.telegram.setWebhook({
    url: w.urls[colour],
    ...(w.secretToken !== undefined ? { secretToken: w.secretToken } : {}),
    maxConnections: w.maxConnections,
    ...(w.allowedUpdates !== undefined ? { allowedUpdates: w.allowedUpdates } : {}),
    // Dropping the queue on a cutover would lose every update sent during it: only on request.
    dropPendingUpdates: w.dropPendingUpdates,
    ...(w.certificatePem !== undefined ? { certificatePem: w.certificatePem } : {}),
  });
  // Everything setWebhook was given (the loop decides "the webhook is on this colour" from it until the bake reads it).
  remember(ctx, w.urls[colour], {
    ...(w.allowedUpdates !== undefined ? { allowedUpdates: [...w.allowedUpdates] } : {}),
    ...(w.certificatePem !== undefined ? { hasCustomCertificate: true } : {}),
  });
}

/** What we just set is what getWebhookInfo would say: keep observe's fallback copy true. */
function remember(ctx: Ctx, url: string, settings: Partial<WebhookInfo> = {}): void {
  if (ctx.lastWebhook !== undefined) ctx.lastWebhook = { ...ctx.lastWebhook, url, maxConnections: ctx.settings.webhook.maxConnections, ...settings };
}

/** Put the webhook back where it was before something (usually a new container) moved it. */
export async function restoreWebhook(ctx: Ctx, before: WebhookInfo, live: Colour | null): Promise<void> {
  if (live !== null && before.url === ctx.settings.webhook.urls[live]) {
    await setWebhookFor(ctx, live);
  } else if (before.url === "") {
    await ctx.telegram.deleteWebhook();
    remember(ctx, "");
  } else {
    await ctx.telegram.setWebhook({
      url: before.url,
      ...(ctx.settings.webhook.secretToken !== undefined ? { secretToken: ctx.settings.webhook.secretToken } : {}),
      maxConnections: before.maxConnections ?? ctx.settings.webhook.maxConnections,
      ...(before.allowedUpdates !== undefined ? { allowedUpdates: before.allowedUpdates } : {}),
    });
    remember(ctx, before.url);
  }
}
