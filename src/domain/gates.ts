// Pure verdicts on what the gates observed. Each says "ok", "wait" (may still come good before the
// deadline) or "fail" (no point waiting: roll back or stop now), with a reason an operator can act on.
import type { AlarmView, HttpResponse, TargetGroupMetrics, TargetHealthView, WebhookInfo } from "../ports.js";
import type { Colour, ContainerFacts } from "./types.js";

/**
 * What a failure is about, most specific first: when several checks fail in the same round the
 * operator is told the most specific one (a container killed for memory also restarted and stopped
 * answering /health, but "OOM-killed" is what to fix), whatever order the checks ran in.
 */
// "metrics": the colour's own target-group metrics name the colour; Telegram's last_error_date is
// shared by both colours during a canary, so when both fail in one round the metric is the signal.
export const FAIL_CAUSES = ["oom", "memory", "restart", "health", "metrics"] as const;
export type FailCause = (typeof FAIL_CAUSES)[number];

export type Verdict = { kind: "ok" } | { kind: "wait"; reason: string } | { kind: "fail"; reason: string; cause?: FailCause };

export const OK: Verdict = { kind: "ok" };
const wait = (reason: string): Verdict => ({ kind: "wait", reason });
const fail = (reason: string, cause?: FailCause): Verdict => (cause === undefined ? { kind: "fail", reason } : { kind: "fail", reason, cause });

/** How the container's last exit ended, from the engine's die/oom events (inspect forgets it on restart). */
export interface LastExit {
  exitCode: number;
  oomKilled: boolean;
}

export interface HealthExpectation {
  path: string;
  expectStatus: number;
  expectJson?: Record<string, unknown> | undefined;
}

export function healthVerdict(res: HttpResponse | Error, expect: HealthExpectation): Verdict {
  if (res instanceof Error) return wait(`GET ${expect.path} failed: ${res.message}`);
  if (res.status !== expect.expectStatus) {
    return wait(`GET ${expect.path} answered ${res.status}, expected ${expect.expectStatus}`);
  }
  if (expect.expectJson === undefined) return OK;
  let body: unknown;
  try {
    body = JSON.parse(res.body);
  } catch {
    return wait(`GET ${expect.path} did not answer JSON`);
  }
  for (const [key, want] of Object.entries(expect.expectJson)) {
    const got = typeof body === "object" && body !== null ? (body as Record<string, unknown>)[key] : undefined;
    if (JSON.stringify(got) !== JSON.stringify(want)) {
      return wait(`GET ${expect.path} has ${key}=${JSON.stringify(got)}, expected ${JSON.stringify(want)}`);
    }
  }
  return OK;
}

/**
 * A container that is not running, or restarted since `baseline`, will not come good by waiting.
 * `lastExit` is how a restarted container last ended: the engine resets State.OOMKilled and
 * State.ExitCode when it restarts a container, so without it an OOM kill reads as "exit code 0".
 */
export function containerVerdict(c: ContainerFacts | undefined, baselineRestarts?: number, lastExit?: LastExit | null): Verdict {
  if (c === undefined) return fail("container is missing", "restart");
  // OOMKilled on a running container: a process other than the main one was killed (no exit code).
  if (c.oomKilled) return fail(`container ${c.name} was OOM-killed (memory limit reached${c.running ? "" : `, exit code ${c.exitCode}`})`, "oom");
  // A real engine reports a crash-looping container as restarting (and Running); check that first.
  if (c.status === "restarting") return fail(`container ${c.name} is in a restart loop (exit code ${c.exitCode}, ${c.restartCount} restarts)`, "restart");
  if (!c.running) return fail(`container ${c.name} exited with code ${c.exitCode}`, "restart");
  if (baselineRestarts !== undefined && c.restartCount > baselineRestarts) {
    const times = c.restartCount - baselineRestarts;
    if (lastExit?.oomKilled)
      return fail(`container ${c.name} was OOM-killed (memory limit reached, exit code ${lastExit.exitCode}) and restarted ${times} time(s)`, "oom");
    return fail(`container ${c.name} restarted ${times} time(s) (exit code ${lastExit?.exitCode ?? c.exitCode})`, "restart");
  }
  return OK;
}

export function targetHealthVerdict(views: TargetHealthView[], expected: { id: string; port: number }[]): Verdict {
  for (const t of expected) {
    const v = views.find((x) => x.id === t.id && x.port === t.port);
    if (v === undefined) return wait(`target ${t.id}:${t.port} is not registered yet`);
    if (v.state !== "healthy") {
      const why = [v.reason, v.description].filter((x) => x !== undefined && x !== "").join(": ");
      return wait(`target ${t.id}:${t.port} is ${v.state}${why === "" ? "" : ` (${why})`}`);
    }
  }
  return OK;
}

export interface WebhookExpectation {
  url: string;
  /** Unix seconds of the cutover: an error dated at or after it is ours. */
  since: number;
  maxPendingUpdates: number;
}

export function webhookVerdict(info: WebhookInfo, expect: WebhookExpectation): Verdict {
  if (info.url !== expect.url) {
    return fail(info.url === "" ? "the webhook was deleted behind our back" : `the webhook was moved to ${info.url} behind our back`);
  }
  if (info.lastErrorDate !== undefined && info.lastErrorDate >= expect.since) {
    return fail(`Telegram reports webhook delivery errors since the cutover: ${info.lastErrorMessage ?? "unknown error"}`);
  }
  if (info.pendingUpdateCount > expect.maxPendingUpdates) {
    // A backlog (e.g. updates queued before a first release) may drain: only one that stays is a failure.
    return wait(`${info.pendingUpdateCount} updates are waiting for delivery (limit ${expect.maxPendingUpdates})`);
  }
  return OK;
}

/**
 * A poller's bake on Telegram's side: no webhook may be set (getUpdates would answer 409 to every
 * call), and the queue must drain below maxPendingUpdates and stay there (a poller that stopped
 * confirming lets it grow: a wait that turns into a failure after gates.telegramMisses).
 */
export function pollingVerdict(info: WebhookInfo, maxPendingUpdates: number): Verdict {
  if (info.url !== "") return fail(`a webhook was set behind our back (${info.url}): getUpdates cannot work while it is`);
  if (info.pendingUpdateCount > maxPendingUpdates) {
    return wait(`${info.pendingUpdateCount} updates are waiting for getUpdates (limit ${maxPendingUpdates}): the poller is not confirming them`);
  }
  return OK;
}

export function memoryVerdict(name: string, usedBytes: number | null, maxBytes: number): Verdict {
  if (usedBytes === null) return OK;
  if (usedBytes > maxBytes) {
    return fail(`container ${name} uses ${(usedBytes / 2 ** 20).toFixed(1)} MiB, above the ${(maxBytes / 2 ** 20).toFixed(0)} MiB limit`, "memory");
  }
  return OK;
}

/** The verdict with `<host>: ` before its reason (keeping its cause). */
export function onHost(host: string, v: Verdict): Verdict {
  return v.kind === "ok" ? v : { ...v, reason: `${host}: ${v.reason}` };
}

const specificity = (v: Verdict): number => {
  const i = v.kind === "fail" && v.cause !== undefined ? FAIL_CAUSES.indexOf(v.cause) : -1;
  return i < 0 ? FAIL_CAUSES.length : i;
};

/**
 * The worst of several verdicts: any fail wins, then any wait. Among fails the most specific cause
 * (FAIL_CAUSES order) wins, so the reason does not depend on which check or host came first; fails
 * without a cause (webhook, Telegram) rank after them, and ties keep the given order.
 */
export function combine(verdicts: Verdict[]): Verdict {
  const fails = verdicts.filter((v) => v.kind === "fail");
  if (fails.length > 0) return fails.reduce((best, v) => (specificity(v) < specificity(best) ? v : best));
  return verdicts.find((v) => v.kind === "wait") ?? OK;
}

/** CloudWatch alarms: any in ALARM fails (as CodeDeploy rolls back on one); a vanished one is a miss, not a pass. */
export function alarmVerdict(names: readonly string[], views: readonly AlarmView[]): Verdict {
  const firing = names.flatMap((n) => views.filter((v) => v.name === n && v.state === "ALARM"));
  if (firing.length > 0) return fail(firing.map((a) => `CloudWatch alarm ${a.name} is in ALARM (${a.reason})`).join("; "));
  const missing = names.filter((n) => !views.some((v) => v.name === n));
  if (missing.length > 0) return wait(`CloudWatch alarm(s) ${missing.join(", ")} not found`);
  return OK;
}

export interface MetricLimits {
  maxTarget5xx?: number | undefined;
  /** Milliseconds. */
  maxP99ResponseTime?: number | undefined;
  maxUnhealthyHosts?: number | undefined;
}

/** The new colour's target-group metrics against gates.metrics; each crossed threshold is named with its value. */
export function metricsVerdict(colour: Colour, m: TargetGroupMetrics, limits: MetricLimits): Verdict {
  const crossed: string[] = [];
  if (limits.maxTarget5xx !== undefined && m.target5xx > limits.maxTarget5xx) {
    crossed.push(`HTTPCode_Target_5XX_Count ${m.target5xx} > ${limits.maxTarget5xx} (gates.metrics.maxTarget5xx)`);
  }
  if (limits.maxP99ResponseTime !== undefined && m.p99ResponseSeconds !== null && m.p99ResponseSeconds * 1000 > limits.maxP99ResponseTime) {
    crossed.push(`TargetResponseTime p99 ${Math.round(m.p99ResponseSeconds * 1000)}ms > ${limits.maxP99ResponseTime}ms (gates.metrics.maxP99ResponseTime)`);
  }
  if (limits.maxUnhealthyHosts !== undefined && m.maxUnhealthyHosts !== null && m.maxUnhealthyHosts > limits.maxUnhealthyHosts) {
    crossed.push(`UnHealthyHostCount ${m.maxUnhealthyHosts} > ${limits.maxUnhealthyHosts} (gates.metrics.maxUnhealthyHosts)`);
  }
  return crossed.length === 0 ? OK : fail(`the ${colour} target group's ${crossed.join(", ")}`, "metrics");
}

export function hasMetricLimits(limits: MetricLimits | undefined): limits is MetricLimits {
  return limits !== undefined && (limits.maxTarget5xx !== undefined || limits.maxP99ResponseTime !== undefined || limits.maxUnhealthyHosts !== undefined);
}
