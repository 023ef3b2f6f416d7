// Releases and rollbacks on one world with a steady 50 updates/s stream flowing: cutover gap,
// rollback speed, release overhead, peak RSS, delivery figures and API calls per release.
import type { CallCounts } from "../src/adapters/call-count.js";
import { SANDBOX_HEALTH } from "../src/sandbox/aws/seed.js";
import { measureRoundTrip, type RoundTrip } from "./roundtrip.js";
import { countBy } from "./stats.js";
import { drain, startStream, stopStream, type WindowStats, windowStats } from "./traffic.js";
import { BENCH_AWS_TIME_SCALE, type BenchWorld, type CliRun } from "./world.js";

/**
 * The waits the bench environment is configured to make, none of them the tool's overhead:
 * - the gates' healthyThreshold passes in a row, gates.interval apart: the first pass can be the
 *   attempt that sees everything healthy, so (2 - 1) x 300 ms;
 * - the bake window, 2 s (environmentYaml's defaults: interval 300ms, healthyThreshold 2, bake 2s);
 * - only for a release that registers its targets (the first on a colour: `register` among its
 *   steps), the ALB's own healthy threshold: a new target is healthy only after
 *   HealthyThresholdCount probes, the first HealthCheckIntervalSeconds after registration (the
 *   sandbox's groups: 2 x 5 s, at the bench's AWS time scale 0.2: 2 s), and no gate can pass before.
 *   A target that stays registered across releases stays healthy while its port answers.
 */
export const ALB_HEALTHY_MS = SANDBOX_HEALTH.intervalSeconds * 1000 * BENCH_AWS_TIME_SCALE * SANDBOX_HEALTH.healthyThreshold;
export const CONFIGURED_WAITS_MS = 300 * (2 - 1) + 2000;

/** The configured waits of one release: CONFIGURED_WAITS_MS, plus the ALB's threshold when it registered targets. */
export function configuredWaitsOf(steps: unknown): number {
  return CONFIGURED_WAITS_MS + (Array.isArray(steps) && steps.includes("register") ? ALB_HEALTHY_MS : 0);
}

export interface ReleaseRun {
  image: string;
  outcome: string;
  /** Why a release was rolled back (the failing step's message), empty when it was not. */
  reason: string;
  wallMs: number;
  overheadMs: number;
  peakRssMb: number;
  roundTrip: RoundTrip;
  cutoverGapMs: number;
  cutoverGapRatio: number;
  rollbackMs?: number;
  rollbackRatio?: number;
  traffic?: WindowStats;
  /** As the emulators and the docker wrapper saw them (a cross-check of `counted`). */
  calls: { aws: Record<string, number>; telegram: Record<string, number>; docker: Record<string, number> };
  /** As the CLI's own adapters counted them. */
  counted: CallCounts | undefined;
  stepsMs: Record<string, number>;
  from?: number;
  to?: number;
}

interface Times {
  listenerMovedAt?: number;
  webhookMovedAt?: number;
}
interface Timings {
  cutover?: Times;
  bakeFailedAt?: number;
  rollback?: Times;
}

/** Milliseconds per step (the --json step events' elapsedMs, summed per step name). */
export function stepDurations(r: CliRun): Record<string, number> {
  const out: Record<string, number> = {};
  for (const e of r.events)
    if (e.type === "step" && typeof e.elapsedMs === "number" && typeof e.step === "string") out[e.step] = (out[e.step] ?? 0) + e.elapsedMs;
  return out;
}

/** One release with a call census; the stream (if any) keeps flowing across it. */
export async function timedRelease(w: BenchWorld, image: string, log: (s: string) => void): Promise<ReleaseRun> {
  const roundTrip = await measureRoundTrip(w);
  w.world.aws.control.clearCalls();
  await w.resetDockerCalls();
  const from = Date.now();
  const r = await w.cli(["release", "bench", "--image", image, "--json"]);
  const to = Date.now();
  const tgCalls = (await w.tg<{ method: string; at: number }[]>("calls")).filter((c) => c.at >= from && c.at <= to && c.method !== "sendMessage");
  const t = (r.result?.timings ?? {}) as Timings;
  const gap = (t.cutover?.webhookMovedAt ?? Number.NaN) - (t.cutover?.listenerMovedAt ?? Number.NaN);
  const run: ReleaseRun = {
    image,
    outcome: String(r.result?.outcome ?? `exit ${r.code}`),
    reason: r.events
      .filter((e) => e.status === "fail" || (e.step === "bake" && e.type === "note") || e.step === "rollback")
      .map((e) => `${String(e.step)}: ${String(e.message ?? e.status)}`)
      .join("; "),
    wallMs: r.wallMs,
    overheadMs: r.wallMs - configuredWaitsOf(r.result?.steps),
    peakRssMb: r.peakRssMb,
    roundTrip,
    cutoverGapMs: gap,
    cutoverGapRatio: gap / roundTrip.sumMs,
    calls: {
      aws: countBy(w.world.aws.control.calls().map((c) => c.action)),
      telegram: countBy(tgCalls.map((c) => c.method)),
      docker: countBy(await w.dockerCalls()),
    },
    counted: r.calls,
    stepsMs: stepDurations(r),
    from,
    to,
  };
  if (t.rollback !== undefined && t.bakeFailedAt !== undefined) {
    run.rollbackMs = Math.max(t.rollback.listenerMovedAt ?? Number.NaN, t.rollback.webhookMovedAt ?? Number.NaN) - t.bakeFailedAt;
    run.rollbackRatio = run.rollbackMs / roundTrip.sumMs;
  }
  if (run.reason !== "") log(`  ${image} reason: ${run.reason.slice(0, 600)}`);
  log(
    `  release ${image}: ${run.outcome} in ${Math.round(r.wallMs)} ms, gap ${gap} ms, rss ${run.peakRssMb.toFixed(1)} MB${run.rollbackMs !== undefined ? `, rollback ${run.rollbackMs} ms` : ""}`,
  );
  if (r.result === undefined) log(`  stderr: ${r.stderr.slice(0, 400)}`);
  return run;
}

export interface ReleaseScenario {
  releases: ReleaseRun[];
  rollbacks: ReleaseRun[];
}

export async function runReleaseScenario(
  w: BenchWorld,
  o: { releases: string[]; rollbacks: number; rate: number },
  log: (s: string) => void,
): Promise<ReleaseScenario> {
  const first = await w.cli(["release", "bench", "--image", "v1", "--json"]);
  if (first.code !== 0) throw new Error(`initial release failed: ${first.stderr.slice(0, 400)} ${JSON.stringify(first.result)}`);
  const stream = await startStream(w, o.rate);
  const releases: ReleaseRun[] = [];
  const rollbacks: ReleaseRun[] = [];
  try {
    await new Promise((r) => setTimeout(r, 1000)); // steady state before the first measured run
    for (const image of o.releases) releases.push(await timedRelease(w, image, log));
    for (let i = 0; i < o.rollbacks; i++) rollbacks.push(await timedRelease(w, "webhook-500", log));
    await new Promise((r) => setTimeout(r, 1000));
  } finally {
    await stopStream(w, stream);
  }
  await drain(w);
  for (const run of [...releases, ...rollbacks]) run.traffic = await windowStats(w, run.from ?? 0, run.to ?? 0);
  return { releases, rollbacks };
}
