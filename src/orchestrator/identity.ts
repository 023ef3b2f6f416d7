// What an environment really points at once resolved: listener and target-group ARNs (whatever
// profile, endpoint or spelling the file used), the bot's id from getMe, and normalised webhook
// URLs. Two environments that share any of these would move or steal each other's traffic.
import { COLOURS } from "../domain/types.js";
import type { Ctx } from "./context.js";

export interface ResolvedIdentity {
  environment: string;
  listenerArn: string;
  targetGroupArns: string[];
  botId: number | null;
  webhookUrls: string[];
}

function normaliseUrl(url: string): string {
  try {
    return new URL(url).href;
  } catch {
    return url;
  }
}

export async function resolvedIdentity(ctx: Ctx): Promise<ResolvedIdentity> {
  const me = await ctx.telegram.getMe().catch(() => null);
  return {
    environment: ctx.settings.environment,
    listenerArn: ctx.listenerArn,
    targetGroupArns: COLOURS.map((c) => ctx.targetGroups[c].arn),
    botId: me?.id ?? null,
    webhookUrls: COLOURS.map((c) => normaliseUrl(ctx.settings.webhook.urls[c])),
  };
}

/** Everything the two environments share, as configuration errors naming both; [] when independent. */
export function sharedIdentity(a: ResolvedIdentity, b: ResolvedIdentity): string[] {
  const both = `${a.environment} and ${b.environment}`;
  const errors: string[] = [];
  if (a.listenerArn === b.listenerArn)
    errors.push(`loadBalancer.listener: ${both} resolve to the same listener ${a.listenerArn}; a release of one would move the other's traffic`);
  for (const arn of a.targetGroupArns.filter((x) => b.targetGroupArns.includes(x))) errors.push(`colours: ${both} share the target group ${arn}`);
  if (a.botId !== null && a.botId === b.botId) errors.push(`telegram.botToken: ${both} use the same bot (id ${a.botId} from getMe); give each its own bot`);
  for (const url of a.webhookUrls.filter((x) => b.webhookUrls.includes(x))) errors.push(`telegram.webhook.url: ${both} share the webhook URL ${url}`);
  return errors;
}
