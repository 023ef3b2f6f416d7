// Preflight: everything that can be known before anything changes. Each failure says what is wrong
// and how to fix it; the release stops with exit 1 and the live release untouched.
import { foreignWebhook } from "../domain/foreign-webhook.js";
import { containerVerdict, targetHealthVerdict } from "../domain/gates.js";
import { KNOWN_KEYS, MAX_LISTENER_TAGS, tagHeadroom } from "../domain/tags.js";
import type { Colour } from "../domain/types.js";
import { PreflightError } from "../errors.js";
import { parseBatch } from "../remote/batch.js";
import { parseDfAvailableKib } from "../remote/docker.js";
import { engineProbe } from "../remote/phases.js";
import { redact } from "../util/redact.js";
import { checkAlarmsExist } from "./cloudwatch-gates.js";
import { type ConnectedHost, type Ctx, mapLimit } from "./context.js";
import type { World } from "./observe.js";
import type { EngineFacts } from "./unmanaged.js";

const MIN_FREE_KIB = 512 * 1024;

async function probeEngine(h: ConnectedHost): Promise<EngineFacts> {
  const argv = engineProbe();
  const [version, df] = parseBatch(argv, await h.remote.exec(argv));
  const none = { code: 255, stdout: "", stderr: "" };
  return { version: version ?? none, df: df ?? none };
}

export async function preflight(
  ctx: Ctx,
  world: World,
  live: Colour | null,
  opts: { allowUnhealthyLive: boolean; liveMode?: "webhook" | "polling"; engines?: Map<string, EngineFacts> | undefined },
): Promise<void> {
  const s = ctx.settings;
  const health = s.container.health;
  // A poller is not behind the target groups: their health checks do not concern it.
  for (const c of s.mode === "webhook" ? (["blue", "green"] as const) : []) {
    const tg = ctx.targetGroups[c];
    if (health !== undefined && tg.healthCheckPath !== health.path) {
      throw new PreflightError(
        `target group ${tg.name} health-checks ${tg.healthCheckPath}, but container.health.path is ${health.path}`,
        `make them agree: aws elbv2 modify-target-group --target-group-arn ${tg.arn} --health-check-path ${health.path}`,
      );
    }
  }
  await mapLimit(ctx.hosts, s.rollout.hostConcurrency, async (h) => {
    // Adoption read these in its own exec on this host moments ago; otherwise one exec for both.
    const { version: v, df } = opts.engines?.get(h.instanceId) ?? (await probeEngine(h));
    if (v.code !== 0)
      throw new PreflightError(
        `${h.instanceId}: the Docker engine does not answer (${(v.stderr || v.stdout).trim().split("\n")[0] ?? ""})`,
        "install/start Docker on the host and let the SSH user run `docker`",
      );
    const free = parseDfAvailableKib(df.stdout);
    if (free !== null && free < MIN_FREE_KIB)
      throw new PreflightError(
        `${h.instanceId}: only ${Math.round(free / 1024)} MiB free on /`,
        "free disk space (e.g. `docker image prune`) before releasing",
      );
  });
  const me = await ctx.telegram.getMe().catch((e: unknown) => {
    throw new PreflightError(
      `Telegram getMe failed: ${redact(e instanceof Error ? e.message : String(e))}`,
      "check telegram.botToken (the variable it references) and telegram.apiBase",
    );
  });
  if (s.expectBotUsername !== undefined && me.username !== s.expectBotUsername) {
    throw new PreflightError(`the token belongs to @${me.username}, not @${s.expectBotUsername}`, "the environment references the wrong bot token");
  }
  if (live !== null && !opts.allowUnhealthyLive) {
    const problems = world.hosts.flatMap((h) => {
      const v = containerVerdict(h.containers[live]);
      return v.kind === "ok" ? [] : [`${h.instanceId}: ${v.reason}`];
    });
    const tg =
      (opts.liveMode ?? s.mode) === "polling"
        ? { kind: "ok" as const }
        : targetHealthVerdict(
            world.health[live],
            ctx.hosts.map((h) => ({ id: h.instanceId, port: s.hostPorts[live] })),
          );
    if (tg.kind !== "ok") problems.push(tg.reason);
    if (problems.length > 0) {
      throw new PreflightError(
        `the live ${live} colour is not healthy, so a rollback would have nothing to return to: ${problems.join("; ")}`,
        "fix the live colour first, or pass --allow-unhealthy-live to release anyway (no safe rollback)",
      );
    }
  }
  await checkAlarmsExist(ctx);
}

/**
 * The listener must have room for every tag the release writes (ELBv2: 50 per listener), or the
 * run would fail at its mark (nothing moved, but a wasted staging) or, worse, at its finalize after a
 * good bake. Checked before anything moves; the fix names the tags that are not bluegreen's.
 */
export function checkTagHeadroom(ctx: Ctx, world: World, run: { colour: Colour; from: Colour | null; releaseId: string; adopting: boolean }): void {
  const keys = Object.keys(world.listener.tags);
  const strategy = ctx.settings.rollout.strategy;
  const h = tagHeadroom(keys, world.tags, {
    colour: run.colour,
    releaseId: run.releaseId,
    adopting: run.adopting,
    // canary/linear steps (and their shift tag) only when traffic moves from a colour of ours (see shiftsInSteps).
    shifting: ctx.settings.mode === "webhook" && strategy !== undefined && strategy.kind !== "all-at-once" && run.from !== null,
    hasPrevious: world.tags.live !== null,
  });
  if (h.peak <= MAX_LISTENER_TAGS) return;
  const over = h.peak - MAX_LISTENER_TAGS;
  const others = keys.filter((k) => !KNOWN_KEYS.has(k));
  throw new PreflightError(
    `the listener carries ${h.existing} tags and this release needs ${h.adds} more at once (${h.peak}), but ELBv2 allows ${MAX_LISTENER_TAGS} per listener (TooManyTags)`,
    `remove at least ${over} tag(s) that are not bluegreen's (${others.length} on it${others.length > 0 ? `: ${others.slice(0, 5).join(", ")}${others.length > 5 ? ", ..." : ""}` : ""}), e.g. aws elbv2 remove-tags --resource-arns ${ctx.listenerArn} --tag-keys ${others.slice(0, over).join(" ") || "<key>"}; then release again`,
  );
}

/**
 * A polling release or rollback that finds a webhook which is not this environment's own refuses,
 * touching nothing (exit 1): its cutover would delete that webhook, and neither an automatic nor a
 * manual rollback could set it back (foreign-webhook.ts). Called on the run's first reading, before
 * any repair or cleanup of its own.
 */
export function refuseForeignWebhook(ctx: Ctx, world: World, command: "release" | "rollback"): void {
  const refusal = foreignWebhookRefusal(ctx, world, command);
  if (refusal !== null) throw refusal;
}

/** refuseForeignWebhook's refusal without throwing it: `plan` shows it (and exits 1 as the release would). */
export function foreignWebhookRefusal(ctx: Ctx, world: World, command: "release" | "rollback"): PreflightError | null {
  const s = ctx.settings;
  if (s.mode !== "polling") return null;
  const url = foreignWebhook(world.webhook.url, s.webhook.urls);
  if (url === null) return null;
  const env = s.environment;
  return new PreflightError(
    `Telegram has a webhook set for this bot, ${redact(url)}, that is not ${env}'s own: a polling ${command} deletes it (getUpdates fails while a webhook is set), which would stop whatever it serves, and no rollback could set it back; nothing was changed`,
    `if another environment uses this bot through that webhook, give ${env} its own bot and token variable (\`bluegreen validate\` lists environments that share one); to move a webhook deployment to polling, release it in webhook mode first (bluegreen adopts and records what serves), then change telegram.mode in that same file (a mode switch, which a rollback undoes); if nothing serves that webhook any more, delete it yourself (Bot API deleteWebhook, pending updates kept) and run the ${command} again`,
  );
}
