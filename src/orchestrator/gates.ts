// Gates before traffic: the new colour must run, answer /health as configured, be healthy in its
// target group for `healthyThreshold` checks in a row, and must not have touched the webhook.
import pRetry, { AbortError } from "p-retry";
import type { Goal } from "../domain/decide.js";
import { combine, containerVerdict, healthVerdict, OK, onHost, targetHealthVerdict, type Verdict } from "../domain/gates.js";
import type { ContainerFacts } from "../domain/types.js";
import { CancelledError, GateFailedError } from "../errors.js";
import type { WebhookInfo } from "../ports.js";
import { containerName } from "../remote/docker.js";
import { untilAborted } from "../util/deadline.js";
import { formatDuration } from "../util/duration.js";
import { alarmGate } from "./cloudwatch-gates.js";
import { containerLogs, inspectContainers, lastExit } from "./containers.js";
import type { ConnectedHost, Ctx } from "./context.js";
import { mapLimit } from "./context.js";
import { awaitsListening, untilListening } from "./listen-wait.js";
import { noteWebhookRestored } from "./verify-webhook.js";
import { restoreWebhook } from "./webhook.js";

/**
 * The new colour's container on one host (and, when it is fine, its /health). A container that
 * restarted since the baseline is asked how its last run ended (`docker events` over the past
 * `exitWindowSeconds`): the engine's inspect no longer says it was OOM-killed once it restarted.
 */
export async function containerOnHost(
  ctx: Ctx,
  host: ConnectedHost,
  goal: Goal,
  baselineRestarts: number | undefined,
  exitWindowSeconds: number,
  /** The host's containers when the caller already read them in this check (the bake, with their memory). */
  read?: Partial<Record<Goal["colour"], ContainerFacts>>,
): Promise<Verdict> {
  const c = (read ?? (await inspectContainers(host, ctx.settings.container.name)))[goal.colour];
  const restarted = c !== undefined && baselineRestarts !== undefined && c.restartCount > baselineRestarts;
  const exit = restarted ? await lastExit(host, c, exitWindowSeconds).catch(() => null) : null;
  return onHost(host.instanceId, containerVerdict(c, baselineRestarts, exit));
}

/**
 * The colour's /health on one host. `listen`: the port may not be bound yet (the first gate check
 * of a container this run just started), so a refused connection is asked again within the window
 * (listen-wait.ts); without it a refusal is this check's answer.
 */
export async function healthOnHost(ctx: Ctx, host: ConnectedHost, goal: Goal, listen?: { windowMs: number; signal: AbortSignal }): Promise<Verdict> {
  const h = ctx.settings.container.health;
  // A poller without an HTTP server: running and not restarting is all there is to see. Across a
  // mode switch the environment's health check belongs to the other mode's containers.
  if (h === undefined || (goal.mode ?? "webhook") !== ctx.settings.mode) return OK;
  const ask = () => host.remote.httpRequest(ctx.settings.hostPorts[goal.colour], h.path, { timeoutMs: h.timeoutMs });
  const res = await (listen === undefined ? ask() : untilListening(ask, listen)).catch((e: unknown) => (e instanceof Error ? e : new Error(String(e))));
  return onHost(host.instanceId, healthVerdict(res, h));
}

/**
 * The new container on one host before traffic, inspected: any restart is a crash (baseline 0), and
 * the container is at most the gates' timeout old (the window its last exit is looked up in).
 */
async function inspectBeforeTraffic(
  ctx: Ctx,
  host: ConnectedHost,
  goal: Goal,
): Promise<{ verdict: Verdict; read: Partial<Record<Goal["colour"], ContainerFacts>> }> {
  const read = await inspectContainers(host, ctx.settings.container.name);
  return { verdict: await containerOnHost(ctx, host, goal, 0, ctx.settings.gates.timeoutMs / 1000 + 30, read), read };
}

/** Whether healthOnHost asks the colour's /health (false: a poller without one, or across a mode switch). */
export function checksHealth(ctx: Ctx, goal: Goal): boolean {
  return ctx.settings.container.health !== undefined && (goal.mode ?? "webhook") === ctx.settings.mode;
}

/**
 * Whether a gate attempt inspects the new container on a host (an exec per host): pure, tested row
 * by row. Restart counts are cumulative and the gates' baseline is 0, so one inspect sees every
 * restart since staging: it runs
 * - when /health is not the signal (a poller without one, across a mode switch): the container's
 *   state is all there is, every attempt;
 * - on the attempt that would complete gates.healthyThreshold: no restart since staging, confirmed
 *   right before traffic may move (this reading is also the world the cutover is decided on);
 * - when /health failed or did not answer: a crash fails the gates at once with its exit reason
 *   (`healthOk` false), instead of waiting out the deadline as a slow start.
 * Otherwise a passing /health says the container runs.
 */
export function gateInspects(o: { healthChecked: boolean; completesThreshold: boolean; healthOk: boolean }): boolean {
  return !o.healthChecked || o.completesThreshold || !o.healthOk;
}

/**
 * One host in a gate attempt: its verdict, and its containers when this attempt inspected them.
 * `listen`: this attempt's /health waits for the port to listen (see awaitsListening).
 */
async function gateOnHost(
  ctx: Ctx,
  host: ConnectedHost,
  goal: Goal,
  completesThreshold: boolean,
  listen: { windowMs: number; signal: AbortSignal } | undefined,
): Promise<{ verdict: Verdict; read?: Partial<Record<Goal["colour"], ContainerFacts>> }> {
  const healthChecked = checksHealth(ctx, goal);
  // An attempt that may do without the inspect asks /health first; the answer decides.
  if (!gateInspects({ healthChecked, completesThreshold, healthOk: true })) {
    const health = await healthOnHost(ctx, host, goal, listen);
    if (!gateInspects({ healthChecked, completesThreshold, healthOk: health.kind === "ok" })) return { verdict: health };
    const c = await inspectBeforeTraffic(ctx, host, goal);
    // The container's failure is the more specific reason (as when it was read first).
    return { verdict: c.verdict.kind !== "ok" ? c.verdict : health, read: c.read };
  }
  const c = await inspectBeforeTraffic(ctx, host, goal);
  return { verdict: c.verdict.kind !== "ok" ? c.verdict : await healthOnHost(ctx, host, goal, listen), read: c.read };
}

/** The passing gate attempt's reading of every host's containers (instance id -> containers). */
export type GateReadings = Map<string, Partial<Record<Goal["colour"], ContainerFacts>>>;

/** The last log lines of a colour's container on every host, for the operator's report. */
export async function colourLogs(ctx: Ctx, colour: Goal["colour"]): Promise<string> {
  const name = containerName(ctx.settings.container.name, colour);
  const logs = await Promise.all(
    ctx.hosts.map(async (h) => `--- ${h.instanceId} ${name} (last lines) ---\n${await containerLogs(h, name).catch(() => "(logs unavailable)")}`),
  );
  return logs.join("\n");
}

export async function gateFailure(ctx: Ctx, goal: Goal, reason: string): Promise<GateFailedError> {
  const name = containerName(ctx.settings.container.name, goal.colour);
  return new GateFailedError(
    reason,
    `inspect the container with \`docker logs ${name}\` on the host; the live release is untouched`,
    await colourLogs(ctx, goal.colour),
  );
}

/**
 * A library calling setWebhook/deleteWebhook at start-up (or a few seconds later) steals or kills
 * production traffic: put the webhook back now and fail the release before traffic moves.
 */
export async function undoBotWebhookCall(
  ctx: Ctx,
  goal: Goal,
  seen: WebhookInfo,
  before: WebhookInfo,
  live: Goal["from"],
  when: string,
): Promise<GateFailedError> {
  await restoreWebhook(ctx, before, live);
  const what = seen.url === "" ? "deleted the webhook" : `set the webhook to ${seen.url}`;
  const to = before.url === "" ? "(no webhook)" : before.url;
  noteWebhookRestored(ctx, `the new ${goal.colour} container ${what} ${when}; bluegreen restored it to ${to}`);
  return new GateFailedError(
    `the new ${goal.colour} container ${what} by itself ${when}; the webhook was restored to ${to}`,
    seen.url === "" && (goal.mode ?? "webhook") === "webhook"
      ? "a bot that came up in polling mode deletes the webhook at start-up (python-telegram-bot's run_polling() does): start it as a webhook server, or set telegram.mode: polling to release it as a poller (the next release is then a mode switch, see the README)"
      : "remove the setWebhook/deleteWebhook call from the bot (or guard it with BLUEGREEN_COLOUR, see the README): bluegreen owns the webhook",
  );
}

const TELEGRAM = "Telegram (getWebhookInfo: the webhook untouched by the new colour)";
const HOSTS = "the containers and /health on every host";
const TARGETS = "the ALB target health";
const ALARMS = "the CloudWatch alarms";

/** The gates' checks in the order one attempt makes them; the deadline message lists those not passed. */
function gateChecks(ctx: Ctx, goal: Goal): string[] {
  return [TELEGRAM, HOSTS, ...(goal.mode === "polling" ? [] : [TARGETS]), ...((ctx.settings.gates.alarms ?? []).length > 0 ? [ALARMS] : [])];
}

/**
 * Passing attempts in a row the gates need: gates.healthyThreshold, or, with `holdMs`, as many as
 * span it at gates.interval (consecutive passes, each after the interval): a colour must keep
 * passing that long, e.g. a poller restarted by a rollback for the settle window.
 */
export function passesNeeded(g: { healthyThreshold: number; intervalMs: number }, holdMs = 0): number {
  return Math.max(g.healthyThreshold, holdMs > 0 ? 1 + Math.ceil(holdMs / Math.max(1, g.intervalMs)) : 0);
}

/**
 * The gates before traffic. gates.timeout is a hard deadline: a check still running when it
 * passes (Telegram's own retries included) is abandoned through an AbortSignal, and the failure
 * says what was still unverified. `holdMs`: the passes in a row must also span this long (see
 * passesNeeded); the deadline grows by it. `startedThisRun`: this run started the colour's
 * containers (staged or restarted them), so the first attempt's /health waits up to
 * gates.interval for their ports to listen (listen-wait.ts) instead of failing on a bot that is
 * a few hundred ms from binding its port.
 */
export async function waitForGates(
  ctx: Ctx,
  goal: Goal,
  webhookBefore: WebhookInfo,
  live: Goal["from"],
  opts: { holdMs?: number; startedThisRun?: boolean } = {},
): Promise<GateReadings> {
  const g = ctx.settings.gates;
  const need = passesNeeded(g, opts.holdMs);
  const limitMs = g.timeoutMs + (opts.holdMs ?? 0);
  let passes = 0;
  const expected = ctx.hosts.map((h) => ({ id: h.instanceId, port: ctx.settings.hostPorts[goal.colour] }));
  const deadline = AbortSignal.timeout(limitMs);
  // What ends a check in flight: the deadline, or SIGINT/SIGTERM (ctx.cancel).
  const stop = ctx.cancel !== undefined ? AbortSignal.any([deadline, ctx.cancel]) : deadline;
  const checks = gateChecks(ctx, goal);
  /** Index in `checks` of the check in flight; -1 between attempts. */
  let checking = -1;
  const check = <T>(name: string, work: () => Promise<T>): Promise<T> => {
    checking = checks.indexOf(name);
    return untilAborted(work(), stop);
  };
  const healthChecked = checksHealth(ctx, goal);
  const attempt = async (attemptNumber: number): Promise<GateReadings> => {
    const info = await check(TELEGRAM, () => ctx.telegram.getWebhookInfo({ signal: stop }));
    // The run's latest reading of the webhook: after a passing attempt, the observe after the gates
    // takes it instead of asking again (#17).
    ctx.lastWebhook = info;
    if (info.url !== webhookBefore.url) throw new AbortError(await undoBotWebhookCall(ctx, goal, info, webhookBefore, live, "at start-up"));
    // Before traffic, any restart of the new container is a crash: baseline 0 (see gateInspects).
    const completes = passes + 1 >= need;
    // Until the next attempt would come anyway, and never past the deadline (`stop`).
    const listen = awaitsListening({ healthChecked, firstAttempt: attemptNumber === 1, startedThisRun: opts.startedThisRun === true })
      ? { windowMs: g.intervalMs, signal: stop }
      : undefined;
    const onHosts = await check(HOSTS, () => mapLimit(ctx.hosts, ctx.settings.rollout.hostConcurrency, (h) => gateOnHost(ctx, h, goal, completes, listen)));
    // A poller is in no target group; the container's own state and /health (if any) are its gates.
    const views = goal.mode === "polling" ? null : await check(TARGETS, () => ctx.lb.targetHealth(ctx.targetGroups[goal.colour].arn));
    const tg = views === null ? OK : targetHealthVerdict(views, expected);
    // A target the ALB saw fail its probes while /health answered us: a container that crashed and
    // was restarted between two attempts looks like that, and the reset pass count would keep the
    // threshold's inspect from ever running. Inspect those hosts now, so the crash fails the gates
    // with its exit reason instead of waiting out gates.timeout as "unhealthy".
    const failedProbes = new Set((views ?? []).filter((t) => t.state === "unhealthy").map((t) => t.id));
    const hosts = await check(HOSTS, () =>
      mapLimit(
        ctx.hosts.map((h, i) => ({ h, own: onHosts[i] as (typeof onHosts)[number] })),
        ctx.settings.rollout.hostConcurrency,
        async ({ h, own }) => {
          if (own.read !== undefined || !failedProbes.has(h.instanceId)) return own.verdict;
          const c = await inspectBeforeTraffic(ctx, h, goal);
          return c.verdict.kind !== "ok" ? c.verdict : own.verdict;
        },
      ),
    );
    // gates.alarms: an alarm already in ALARM stops the release before any traffic moves.
    const alarms = await check(ALARMS, () => alarmGate(ctx));
    checking = -1;
    const v = combine([...hosts, tg, alarms]);
    if (v.kind === "fail") throw new AbortError(await gateFailure(ctx, goal, v.reason));
    if (v.kind === "wait") {
      passes = 0;
      throw new Error(v.reason);
    }
    passes += 1;
    if (passes < need) throw new Error(`healthy ${passes}/${need}`);
    // The passing attempt completed the threshold, so it inspected every host.
    return new Map(
      ctx.hosts.flatMap((h, i) => {
        const read = onHosts[i]?.read;
        return read !== undefined ? [[h.instanceId, read] as const] : [];
      }),
    );
  };
  let lastReason = "";
  try {
    return await pRetry(attempt, {
      retries: Math.ceil(limitMs / Math.max(1, g.intervalMs)) + need,
      factor: 1,
      minTimeout: g.intervalMs,
      maxTimeout: g.intervalMs,
      randomize: false,
      maxRetryTime: limitMs,
      // The deadline, or a signal (its CancelledError: the caller stops the new colour), ends the wait.
      signal: stop,
      onFailedAttempt: ({ error }) => {
        // At the deadline the check in flight stays named in `checking` for the message.
        if (deadline.aborted) return;
        checking = -1;
        lastReason = error.message;
        ctx.reporter.step({ step: "gates", status: "info", message: error.message, colour: goal.colour });
      },
    });
  } catch (e) {
    if (e instanceof GateFailedError || e instanceof CancelledError) throw e;
    const limit =
      opts.holdMs !== undefined && opts.holdMs > 0
        ? `gates.timeout plus the ${formatDuration(opts.holdMs)} it must hold, a hard deadline`
        : "gates.timeout, a hard deadline";
    const within = `the ${goal.colour} colour did not pass its gates within ${Math.round(limitMs / 100) / 10}s (${limit})`;
    if (!deadline.aborted || checking < 0) throw await gateFailure(ctx, goal, `${within}: ${lastReason}`);
    // The deadline fell while a check was running: it and the checks after it were never verified.
    const open = checks.slice(checking);
    const last = lastReason !== "" ? `; the last completed attempt said: ${lastReason}` : "";
    throw await gateFailure(ctx, goal, `${within}; still unverified: ${open.join(", ")} (${open[0]} had not answered)${last}`);
  }
}

/** Optional smoke updates: each posted to every new container with the secret header, 2xx required. True when any was posted. */
export async function smokeTest(ctx: Ctx, goal: Goal): Promise<boolean> {
  // A poller has no webhook endpoint to post to.
  if (goal.mode === "polling" || ctx.settings.gates.smokeUpdates.length === 0) return false;
  const path = new URL(ctx.settings.webhook.urls[goal.colour]).pathname;
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (ctx.settings.webhook.secretToken !== undefined) headers["x-telegram-bot-api-secret-token"] = ctx.settings.webhook.secretToken;
  for (const body of ctx.settings.gates.smokeUpdates) {
    for (const h of ctx.hosts) {
      const res = await h.remote.httpRequest(ctx.settings.hostPorts[goal.colour], path, {
        method: "POST",
        body,
        headers,
        timeoutMs: ctx.settings.container.health?.timeoutMs ?? 2000,
      });
      if (res.status < 200 || res.status > 299) {
        throw new GateFailedError(`${h.instanceId}: a smoke update was answered ${res.status}`, "fix the bot's update handling; the live release is untouched");
      }
    }
  }
  return true;
}
