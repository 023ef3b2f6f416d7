// Real HTTP health checks: one loop per registered target of every referenced target group,
// probing GET http://<address>:<port><path> each (scaled) interval and moving the target through
// initial -> healthy / unhealthy by the group's thresholds.
import http from "node:http";
import {
  FAILED,
  HEALTHY,
  INITIAL_HEALTH_CHECKING,
  REGISTRATION_IN_PROGRESS,
  responseCodeMismatch,
  shouldCheck,
  TIMED_OUT,
  targetAddress,
} from "./target-health.js";
import type { TargetGroup, TargetHealth, TargetRecord, World } from "./world.js";

interface Loop {
  tg: TargetGroup;
  rec: TargetRecord;
  timer?: NodeJS.Timeout;
  stopped: boolean;
  probing: boolean;
}

type Outcome = { ok: true } | { ok: false; failure: TargetHealth };

/**
 * The least time a probe is given, in real milliseconds, whatever the time scale. The ALB's
 * shortest timeout is 2 s; scaled for a fast test (0.02) that is 40 ms, less than the event-loop
 * stall of a loaded 2-core machine (a CI run beside other work): a healthy target then reads as
 * Target.Timeout, and the probe measures the machine, not the target. A target slower than the
 * floor still times out, as one slower than its timeout does on a real ALB. Like the Telegram
 * emulator's floor on its scaled delivery timeout (settings.ts); at time scales of 0.25 and up
 * every valid timeout is above it, so real-pace runs are unchanged.
 */
export const PROBE_TIMEOUT_FLOOR_MS = 500;

/** A probe's timeout in real milliseconds: the group's timeout scaled, never under the floor. */
export function probeTimeoutMs(timeoutSeconds: number, timeScale: number): number {
  return Math.max(PROBE_TIMEOUT_FLOOR_MS, timeoutSeconds * 1000 * timeScale);
}

export class HealthChecker {
  private readonly loops = new Map<TargetRecord, Loop>();
  private readonly probes = new Set<http.ClientRequest>();

  constructor(
    private readonly world: World,
    private readonly timeScale: () => number,
    /** Called after every probe's outcome is applied (CloudWatch samples the group's host counts). */
    private readonly probed: (tg: TargetGroup) => void = () => {},
  ) {}

  /** Starts loops for targets that need checking and stops (and resets) the rest. Call after any change. */
  sync(): void {
    const wanted = new Set<TargetRecord>();
    for (const tg of this.world.targetGroups.values()) {
      for (const rec of tg.targets.values()) {
        if (!shouldCheck(this.world, tg, rec)) continue;
        wanted.add(rec);
        if (!this.loops.has(rec)) this.start(tg, rec);
      }
    }
    for (const [rec, loop] of this.loops) {
      if (wanted.has(rec)) continue;
      this.stopLoop(loop);
      // A target that stops being checked starts over when checks resume, as on the ALB.
      resetChecks(rec);
    }
  }

  /** After a time-scale change, waiting loops restart their wait at the new pace. */
  rescheduleAll(): void {
    for (const loop of this.loops.values()) {
      if (loop.probing) continue;
      if (loop.timer) clearTimeout(loop.timer);
      this.schedule(loop, this.intervalMs(loop.tg));
    }
  }

  stop(): void {
    for (const loop of this.loops.values()) this.stopLoop(loop);
    for (const req of this.probes) req.destroy();
  }

  private start(tg: TargetGroup, rec: TargetRecord): void {
    const loop: Loop = { tg, rec, stopped: false, probing: false };
    this.loops.set(rec, loop);
    this.schedule(loop, this.intervalMs(tg));
  }

  private stopLoop(loop: Loop): void {
    loop.stopped = true;
    if (loop.timer) clearTimeout(loop.timer);
    this.loops.delete(loop.rec);
  }

  private schedule(loop: Loop, delayMs: number): void {
    loop.timer = setTimeout(() => void this.tick(loop), Math.max(0, delayMs));
    loop.timer.unref();
  }

  private intervalMs(tg: TargetGroup): number {
    return Math.max(1, tg.healthCheck.intervalSeconds * 1000 * this.timeScale());
  }

  private async tick(loop: Loop): Promise<void> {
    if (loop.stopped) return;
    const { tg, rec } = loop;
    if (rec.checked.state === "initial") rec.checked = INITIAL_HEALTH_CHECKING;
    const started = Date.now();
    loop.probing = true;
    const outcome = await this.probe(tg, rec);
    loop.probing = false;
    if (loop.stopped) return;
    applyOutcome(tg, rec, outcome);
    this.probed(tg);
    this.schedule(loop, this.intervalMs(tg) - (Date.now() - started));
  }

  private probe(tg: TargetGroup, rec: TargetRecord): Promise<Outcome> {
    const host = targetAddress(this.world, tg, rec);
    if (!host) return Promise.resolve({ ok: false, failure: FAILED });
    const hc = tg.healthCheck;
    const port = hc.port === "traffic-port" ? rec.port : Number(hc.port);
    const timeoutMs = probeTimeoutMs(hc.timeoutSeconds, this.timeScale());
    const matches = matcher(hc.matcher);
    return new Promise((resolve) => {
      let settled = false;
      const finish = (o: Outcome) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.probes.delete(req);
        resolve(o);
      };
      const req = http.request(
        { host, port, path: hc.path, method: "GET", agent: false, headers: { "User-Agent": "ELB-HealthChecker/2.0", Connection: "close" } },
        (res) => {
          res.resume();
          const code = res.statusCode ?? 0;
          finish(matches(code) ? { ok: true } : { ok: false, failure: responseCodeMismatch(code) });
        },
      );
      const timer = setTimeout(() => {
        finish({ ok: false, failure: TIMED_OUT });
        req.destroy();
      }, timeoutMs);
      req.on("error", () => finish({ ok: false, failure: FAILED }));
      this.probes.add(req);
      req.end();
    });
  }
}

export function resetChecks(rec: TargetRecord): void {
  rec.checked = REGISTRATION_IN_PROGRESS;
  rec.passes = 0;
  rec.fails = 0;
}

function applyOutcome(tg: TargetGroup, rec: TargetRecord, outcome: Outcome): void {
  const hc = tg.healthCheck;
  if (outcome.ok) {
    rec.fails = 0;
    rec.passes += 1;
    if (rec.checked.state !== "healthy" && rec.passes >= hc.healthyThreshold) rec.checked = HEALTHY;
    return;
  }
  rec.passes = 0;
  rec.fails += 1;
  if (rec.checked.state === "unhealthy")
    rec.checked = outcome.failure; // keep the latest reason
  else if (rec.fails >= hc.unhealthyThreshold) rec.checked = outcome.failure;
}

/** Matcher.HttpCode: "200", "200,202" or "200-299". */
export function matcher(httpCode: string): (code: number) => boolean {
  const parts = httpCode.split(",").map((p) => p.trim());
  return (code) =>
    parts.some((p) => {
      const range = /^(\d+)-(\d+)$/.exec(p);
      if (range) return code >= Number(range[1]) && code <= Number(range[2]);
      return Number(p) === code;
    });
}
