// Returning to the unmanaged release (the one that served before bluegreen's first release): the
// listener back to its target group, the webhook back to the URL it had, with the configured secret
// and certificate. Its containers are never touched: they are not ours.
import { IN_FLIGHT_KEYS, TAG, UNMANAGED_KEYS } from "../domain/tags.js";
import { readListener } from "../domain/traffic.js";
import { COLOURS, type UnmanagedRef } from "../domain/types.js";
import type { ForwardTarget } from "../ports.js";
import type { Ctx } from "./context.js";
import type { CutoverTimes } from "./cutover.js";
import { colourArns, type World } from "./observe.js";

/** All traffic to the unmanaged group; our colours stay referenced at weight 0 so the ALB keeps health-checking them. */
export function unmanagedForward(ctx: Ctx, u: UnmanagedRef): ForwardTarget[] {
  const arns = colourArns(ctx);
  return [
    { targetGroupArn: u.targetGroupArn, weight: 1 },
    ...COLOURS.filter((c) => arns[c] !== u.targetGroupArn).map((c) => ({ targetGroupArn: arns[c], weight: 0 })),
  ];
}

export function listenerOnUnmanaged(ctx: Ctx, world: World, u: UnmanagedRef): boolean {
  const r = readListener(world.listener.forward, colourArns(ctx));
  return r.receiving.length === 1 && r.receiving[0] === u.targetGroupArn;
}

export async function setUnmanagedWebhook(ctx: Ctx, u: UnmanagedRef): Promise<void> {
  if (u.webhookUrl === "") {
    await ctx.telegram.deleteWebhook();
  } else {
    const w = ctx.settings.webhook;
    await ctx.telegram.setWebhook({
      url: u.webhookUrl,
      ...(w.secretToken !== undefined ? { secretToken: w.secretToken } : {}),
      maxConnections: w.maxConnections,
      ...(w.allowedUpdates !== undefined ? { allowedUpdates: w.allowedUpdates } : {}),
      dropPendingUpdates: false,
      ...(w.certificatePem !== undefined ? { certificatePem: w.certificatePem } : {}),
    });
  }
  if (ctx.lastWebhook !== undefined) ctx.lastWebhook = { ...ctx.lastWebhook, url: u.webhookUrl };
}

/**
 * Both switches back to the unmanaged release; a switch already there is skipped when `world` is
 * given (none is skipped without it: the automatic rollback's fast path reads nothing first).
 * Returns the problems as operator-readable text, empty when both moved.
 */
export async function moveToUnmanaged(ctx: Ctx, u: UnmanagedRef, times: CutoverTimes, world?: World): Promise<string[]> {
  const problems: string[] = [];
  const why = (e: unknown) => (e instanceof Error ? e.message : String(e));
  if (world === undefined || !listenerOnUnmanaged(ctx, world, u)) {
    await ctx.lb.setForward(ctx.listenerArn, unmanagedForward(ctx, u)).then(
      () => {
        times.listenerMovedAt = ctx.clock.now();
      },
      (e: unknown) => problems.push(`the listener could not be moved back to ${u.targetGroupArn}: ${why(e)}`),
    );
  }
  if (world === undefined || world.webhook.url !== u.webhookUrl) {
    await setUnmanagedWebhook(ctx, u).then(
      () => {
        times.webhookMovedAt = ctx.clock.now();
      },
      (e: unknown) => problems.push(`the webhook could not be re-set to ${u.webhookUrl === "" ? "(none)" : u.webhookUrl}: ${why(e)}`),
    );
  }
  return problems;
}

/** The world is back where it stood before bluegreen: every bluegreen:* tag goes, so the next release adopts anew. */
export async function forgetReleases(ctx: Ctx): Promise<void> {
  const keys = [
    TAG.liveColour,
    TAG.liveRelease,
    TAG.liveImage,
    TAG.previousColour,
    TAG.previousRelease,
    TAG.previousImage,
    TAG.verified,
    TAG.previousWarmUntil,
    ...IN_FLIGHT_KEYS,
    ...UNMANAGED_KEYS,
  ];
  await ctx.lb.removeTags(ctx.listenerArn, keys);
}

export function describeUnmanaged(u: UnmanagedRef): string {
  const name = u.targetGroupArn.split(":targetgroup/")[1]?.split("/")[0] ?? u.targetGroupArn;
  return `the unmanaged release (target group ${name}, webhook ${u.webhookUrl === "" ? "(none)" : u.webhookUrl})`;
}
