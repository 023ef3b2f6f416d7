// `npm run bench [-- --json] [-- --quick]`: measures bluegreen on the sandbox (see bench/README
// figures in the final table) and writes bench/results/latest.json. Progress goes to stderr; with
// --json stdout carries exactly one JSON object, otherwise the table.
import { mkdir, writeFile } from "node:fs/promises";
import { loadavg } from "node:os";
import { join } from "node:path";
import { total } from "../src/adapters/call-count.js";
import { BAD_VERSION_WORLD, type BadVersionRun, badVersionExposure } from "./bad-version.js";
import { runBaseline } from "./baseline.js";
import { coldStarts } from "./coldstart.js";
import { type CountedRelease, countedReleases, SECOND_GATES, TARGET_GATES } from "./counts.js";
import { type HandoverFigures, pollingHandover } from "./polling-handover.js";
import { ALB_HEALTHY_MS, CONFIGURED_WAITS_MS, runReleaseScenario } from "./release-scenario.js";
import { rollbackTimes } from "./rollback-timing.js";
import { alternatedReleases, type ScalePairs } from "./scale.js";
import { median, round, type Summary, summarize } from "./stats.js";
import { renderTable } from "./table.js";
import { WAN_MS, wanRelease } from "./wan.js";
import { BENCH_AWS_TIME_SCALE, type BenchWorld, REPO, startBenchWorld } from "./world.js";

const json = process.argv.includes("--json");
const quick = process.argv.includes("--quick");
const log = (s: string) => process.stderr.write(`${s}\n`);
const RATE = 50;
// --only main,baseline,scale: run a subset while iterating (skipped parts report NaN). "coldstart"
// (not in the default set: "main" measures the cold starts too) runs only the cold starts.
const onlyArg = process.argv.indexOf("--only");
const only = new Set((onlyArg >= 0 ? (process.argv[onlyArg + 1] ?? "") : "main,counts,baseline,scale,rollback,wan,canary,polling").split(","));
// --scale-aws-time-scale 1: the scale worlds' ALB at real pace (a health check every 5 s instead of
// every second), to tell the tool's cost per host from targets flipping unhealthy while the stage's
// container starts queue on 2 cores (README, #17). The headline figure keeps the bench's 0.2.
const scaleAwsArg = process.argv.indexOf("--scale-aws-time-scale");
const scaleAwsTimeScale = scaleAwsArg >= 0 ? Number(process.argv[scaleAwsArg + 1]) : BENCH_AWS_TIME_SCALE;
if (!(scaleAwsTimeScale > 0)) throw new Error(`--scale-aws-time-scale takes a positive number, e.g. 1 (got ${process.argv[scaleAwsArg + 1] ?? "nothing"})`);
const live = new Set<BenchWorld>();

async function withWorld<T>(o: Parameters<typeof startBenchWorld>[0], fn: (w: BenchWorld) => Promise<T>): Promise<T> {
  const w = await startBenchWorld(o);
  live.add(w);
  try {
    return await fn(w);
  } finally {
    live.delete(w);
    await w.stop();
  }
}

for (const sig of ["SIGINT", "SIGTERM"] as const) {
  process.on(sig, () => {
    void Promise.allSettled([...live].map((w) => w.stop())).then(() => process.exit(130));
  });
}

const mb = (bytes: number) => round(bytes / 2 ** 20);

/** Ratio of medians (the two sides have different run counts); min/max pair the extremes. */
function ratioOf(a: number[], b: number[]): Summary {
  const ok = a.length > 0 && b.length > 0;
  return {
    median: round(median(a) / median(b)),
    min: ok ? round(Math.min(...a) / Math.max(...b)) : Number.NaN,
    max: ok ? round(Math.max(...a) / Math.min(...b)) : Number.NaN,
    runs: [],
  };
}

/** The median of each step's milliseconds over runs (a step a run did not make counts 0 there). */
function stepMedians(runs: Record<string, number>[]): Record<string, number> {
  return Object.fromEntries([...new Set(runs.flatMap((r) => Object.keys(r)))].map((k) => [k, median(runs.map((r) => r[k] ?? 0))]));
}

const errors: string[] = [];
/** A failed scenario is reported (details.errors, NaN figures) instead of losing the whole run. */
async function attempt<T>(name: string, fallback: T, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    errors.push(`${name}: ${e instanceof Error ? e.message : String(e)}`);
    log(`  ${name} failed: ${e instanceof Error ? e.message : String(e)}`);
    return fallback;
  }
}

async function main(): Promise<void> {
  const rssBefore = process.memoryUsage().rss;
  const loadBefore = loadavg().map(round);
  log("main world: releases and rollbacks under a 50 updates/s stream");
  // Without "main" (e.g. --only canary) the main world's figures are empty (NaN), like any skipped part.
  const skipped = { startMs: Number.NaN, idleRss: 0, scenario: { releases: [], rollbacks: [] }, cold: { help: [], status: [], statusExit: -1 }, wan: [] };
  const main = !only.has("main")
    ? skipped
    : await withWorld({ hosts: 2, firstHost: 200 }, async (w) => {
        await new Promise((r) => setTimeout(r, 2000));
        const idleRss = process.memoryUsage().rss;
        const scenario = await runReleaseScenario(w, { releases: quick ? ["v2"] : ["v2", "v3", "v1"], rollbacks: quick ? 1 : 3, rate: RATE }, log);
        log("cold starts");
        const cold = await coldStarts(w, quick ? 3 : 5);
        log(`simulated WAN: ${WAN_MS} ms on every AWS call, Telegram call and host command`);
        const wan = !only.has("wan") ? [] : await attempt("wan", [], async () => [await wanRelease(w, "v3", log)]);
        return { startMs: w.startMs, idleRss, scenario, cold, wan };
      });
  // --only coldstart: the cold starts alone, in a 2-host world after one unmeasured release (which
  // also warms the code cache), to re-measure statusColdStartMs without the main scenario's minutes.
  if (!only.has("main") && only.has("coldstart")) {
    main.cold = await attempt("coldstart", main.cold, () =>
      withWorld({ hosts: 2, firstHost: 200 }, async (w) => {
        const first = await w.cli(["release", "bench", "--image", "v1", "--json"]);
        if (first.code !== 0) throw new Error(`the first release exited ${first.code}: ${first.stderr.slice(-500)}`);
        log("cold starts");
        return coldStarts(w, quick ? 3 : 5);
      }),
    );
  }
  log("calls per release: default gates (healthyThreshold 3, bakeEvidence 3), bake 3s, interval 3s, then interval 1s");
  const counts: CountedRelease[] = !only.has("counts")
    ? []
    : await attempt("counts", [], () =>
        withWorld({ hosts: 2, firstHost: 246, gates: TARGET_GATES }, (w) => countedReleases(w, quick ? ["v2"] : ["v2", "v3"], log)),
      );
  const countsOneSecond: CountedRelease[] = !only.has("counts")
    ? []
    : await attempt("counts-1s", [], () =>
        withWorld({ hosts: 2, firstHost: 246, gates: SECOND_GATES }, (w) => countedReleases(w, quick ? ["v2"] : ["v2", "v3"], log)),
      );
  log("baseline: stop-old/start-new restart deploy under the same stream");
  const baseline = !only.has("baseline")
    ? []
    : await attempt("baseline", [], () => withWorld({ hosts: 2, firstHost: 210 }, (w) => runBaseline(w, quick ? ["v2"] : ["v2", "v3", "v1"], RATE, log)));
  log("scale: 1 host per colour vs 16, alternated");
  // Four releases a side (two in --quick), alternated between the two worlds (both up at once), so a
  // change in the shared machine's load falls on both sides of the ratio: 16-host releases are the
  // noisiest figure of the bench (#17).
  const scaleImages = quick ? ["v2", "v3"] : ["v2", "v3", "v1", "v2"];
  const noScale: ScalePairs = { one: [], sixteen: [] };
  const { one, sixteen } = !only.has("scale")
    ? noScale
    : await attempt("scale", noScale, () =>
        withWorld({ hosts: 1, firstHost: 220, awsTimeScale: scaleAwsTimeScale }, (w1) =>
          withWorld({ hosts: 16, firstHost: 230, awsTimeScale: scaleAwsTimeScale }, (w16) => alternatedReleases(w1, w16, scaleImages, log)),
        ),
      );

  log("manual rollback: warm and cold");
  const noRollback: Awaited<ReturnType<typeof rollbackTimes>> = { warmMs: [], coldMs: [], warmCalls: [] };
  const manual = !only.has("rollback")
    ? noRollback
    : await attempt("rollback", noRollback, () => withWorld({ hosts: 2, firstHost: 250 }, (w) => rollbackTimes(w, quick ? 1 : 3, log)));

  log("bad version: webhook-500 all-at-once vs canary 10%, same stream, caught by gates.metrics.maxTarget5xx");
  const bad: BadVersionRun[] = !only.has("canary")
    ? []
    : await attempt("canary", [], () => withWorld({ hosts: 2, firstHost: 252, ...BAD_VERSION_WORLD }, (w) => badVersionExposure(w, quick ? 1 : 3, RATE, log)));
  const badOf = (strategy: BadVersionRun["strategy"]) => bad.filter((b) => b.strategy === strategy);

  log("polling handover: polling-v1 -> polling-v2 under a stream");
  const handover: HandoverFigures | null = !only.has("polling")
    ? null
    : await attempt("polling", null, () => withWorld({ hosts: 1, firstHost: 254 }, (w) => pollingHandover(w, log)));

  const { releases, rollbacks } = main.scenario;
  const all = [...releases, ...rollbacks];
  const traffic = all.map((r) => r.traffic).filter((t) => t !== undefined);
  // Counted in the CLI's adapters: only releases that completed (a rollback makes its own calls).
  const released = releases
    .filter((r) => r.outcome === "released")
    .map((r) => r.counted)
    .filter((c) => c !== undefined);
  const s = {
    cutoverGapRatio: summarize(all.map((r) => r.cutoverGapRatio)),
    rollbackRatio: summarize(rollbacks.map((r) => r.rollbackRatio ?? Number.NaN)),
    // Only releases that completed: a rollback (health check timeouts under host load) adds its own time.
    releaseOverheadMs: summarize(
      (releases.some((r) => r.outcome === "released") ? releases.filter((r) => r.outcome === "released") : releases).map((r) => r.overheadMs),
    ),
    lostUpdates: summarize(traffic.map((t) => t.lost)),
    duplicatedUpdates: summarize(traffic.map((t) => t.duplicated)),
    baselineFailedDeliveries: summarize(baseline.map((b) => b.failedDeliveries)),
    // Ratio of medians (the two sides have different run counts); min/max pair the extremes.
    scaleRatio16to1: ratioOf(
      sixteen.map((r) => r.wallMs),
      one.map((r) => r.wallMs),
    ),
    // The CLI's own CPU time per host, 16 hosts vs 1: what the tool costs per host, apart from the
    // sandbox's bots and docker stand-in sharing the same 2 cores.
    cliCpuPerHostRatio16to1: ratioOf(
      sixteen.map((r) => r.cliCpuMs / 16),
      one.map((r) => r.cliCpuMs),
    ),
    simulatedWanReleaseMs: summarize(main.wan.map((r) => r.aboveWaitsMs)),
    helpColdStartMs: summarize(main.cold.help),
    statusColdStartMs: summarize(main.cold.status),
    releasePeakRssMb: summarize(all.map((r) => r.peakRssMb)),
    // The same failure (webhook-500) under the same stream: updates answered 500 by the bad version before the rollback.
    badVersionUpdatesAllAtOnce: summarize(badOf("all-at-once").map((b) => b.updatesReachingBad)),
    badVersionUpdatesCanary10: summarize(badOf("canary 10%").map((b) => b.updatesReachingBad)),
    badVersionDeliveriesAllAtOnce: summarize(badOf("all-at-once").map((b) => b.deliveriesToBad)),
    badVersionDeliveriesCanary10: summarize(badOf("canary 10%").map((b) => b.deliveriesToBad)),
    badVersionMaxDelayMsAllAtOnce: summarize(badOf("all-at-once").map((b) => b.maxDelayMs)),
    badVersionMaxDelayMsCanary10: summarize(badOf("canary 10%").map((b) => b.maxDelayMs)),
    badVersionLostUpdates: summarize(bad.map((b) => b.lost)),
    // #17's targets are stated for a 3 s bake: counted in the counts world (default gates, bake 3s).
    awsCallsPerRelease: summarize(counts.map((c) => total(c.calls.aws))),
    hostCommandsPerRelease: summarize(counts.map((c) => total(c.calls.host))),
    telegramCallsPerRelease: summarize(counts.map((c) => total(c.calls.telegram))),
    awsCallsPerRollback: summarize(manual.warmCalls.map((c) => total(c.aws))),
    hostCommandsPerRollback: summarize(manual.warmCalls.map((c) => total(c.host))),
    telegramCallsPerRollback: summarize(manual.warmCalls.map((c) => total(c.telegram))),
    // Polling (one host, 20 updates/s, polling-v1 -> polling-v2): the longest span Telegram saw with no
    // update confirmed, from 1 s before the handover step (the old poller's docker stop) to 3 s after it.
    pollingHandoverGapMs: summarize(handover !== null ? [handover.handoverGapMs] : []),
  } satisfies Record<string, Summary>;
  const details = {
    when: new Date().toISOString(),
    quick,
    errors,
    awsTimeScale: BENCH_AWS_TIME_SCALE,
    loadAverage: { before: loadBefore, after: loadavg().map(round), cpus: 2 },
    outcomes: all.map((r) => ({ image: r.image, outcome: r.outcome, reason: r.reason })),
    streamRatePerSecond: RATE,
    configuredWaitsMs: { base: CONFIGURED_WAITS_MS, plusAfterRegistration: ALB_HEALTHY_MS },
    roundTripMs: {
      modifyListener: summarize(all.map((r) => r.roundTrip.modifyListenerMs)),
      setWebhook: summarize(all.map((r) => r.roundTrip.setWebhookMs)),
      sum: summarize(all.map((r) => r.roundTrip.sumMs)),
    },
    cutoverGapMs: summarize(all.map((r) => r.cutoverGapMs)),
    rollbackMs: summarize(rollbacks.map((r) => r.rollbackMs ?? Number.NaN)),
    releaseWallMs: summarize(releases.map((r) => r.wallMs)),
    rollbackReleaseWallMs: summarize(rollbacks.map((r) => r.wallMs)),
    releaseDelayMs: {
      p50: summarize(releases.map((r) => r.traffic?.p50DelayMs ?? Number.NaN)),
      p99: summarize(releases.map((r) => r.traffic?.p99DelayMs ?? Number.NaN)),
      max: summarize(releases.map((r) => r.traffic?.maxDelayMs ?? Number.NaN)),
    },
    rollbackDelayMs: {
      p50: summarize(rollbacks.map((r) => r.traffic?.p50DelayMs ?? Number.NaN)),
      p99: summarize(rollbacks.map((r) => r.traffic?.p99DelayMs ?? Number.NaN)),
      max: summarize(rollbacks.map((r) => r.traffic?.maxDelayMs ?? Number.NaN)),
    },
    failedDeliveries: summarize(traffic.map((t) => t.failedDeliveries)),
    baseline: {
      runs: baseline,
      lost: summarize(baseline.map((b) => b.lost)),
      p50DelayMs: summarize(baseline.map((b) => b.p50DelayMs)),
      p99DelayMs: summarize(baseline.map((b) => b.p99DelayMs)),
      maxDelayMs: summarize(baseline.map((b) => b.maxDelayMs)),
      deployMs: summarize(baseline.map((b) => b.deployMs)),
    },
    scale: {
      awsTimeScale: scaleAwsTimeScale,
      // Each 16-host release over the 1-host release next to it in time (same image): less sensitive
      // to the machine's load drifting than the ratio of medians, which is the headline figure.
      pairRatios: summarize(sixteen.map((r, i) => r.wallMs / (one[i]?.wallMs ?? Number.NaN))),
      oneHostMs: summarize(one.map((r) => r.wallMs)),
      sixteenHostsMs: summarize(sixteen.map((r) => r.wallMs)),
      cliCpuMsOneHost: summarize(one.map((r) => r.cliCpuMs)),
      cliCpuMsSixteenHosts: summarize(sixteen.map((r) => r.cliCpuMs)),
      // Every process's CPU during the release: on 2 cores the wall time cannot be below half of it.
      machineCpuMsOneHost: summarize(one.map((r) => r.machineCpuMs)),
      machineCpuMsSixteenHosts: summarize(sixteen.map((r) => r.machineCpuMs)),
      // Releases whose gates waited out the ALB's healthy threshold for a target whose port went
      // dark across two health checks during the stage (about 2 s of wall time each).
      releasesWithUnhealthyTargetOneHost: one.filter((r) => r.unhealthyTargets > 0).length,
      releasesWithUnhealthyTargetSixteenHosts: sixteen.filter((r) => r.unhealthyTargets > 0).length,
      hostCommandsOneHost: summarize(one.map((r) => r.hostCommands)),
      hostCommandsSixteenHosts: summarize(sixteen.map((r) => r.hostCommands)),
      // The world's own processes, from /proc (other work on the machine excluded): each container's
      // supervisor and bot (on real hosts, each host's own machine), the emulators (the bench's process).
      containersCpuMsOneHost: summarize(one.map((r) => r.containersCpuMs)),
      containersCpuMsSixteenHosts: summarize(sixteen.map((r) => r.containersCpuMs)),
      emulatorsCpuMsOneHost: summarize(one.map((r) => r.emulatorsCpuMs)),
      emulatorsCpuMsSixteenHosts: summarize(sixteen.map((r) => r.emulatorsCpuMs)),
      // How long the CLI's main thread was ready to run but waited for a core (/proc schedstat): CPU starvation, not work.
      cliRunQueueMsOneHost: summarize(one.map((r) => r.cliRunQueueMs)),
      cliRunQueueMsSixteenHosts: summarize(sixteen.map((r) => r.cliRunQueueMs)),
      stepMsMedianOneHost: stepMedians(one.map((r) => r.stepsMs)),
      stepMsMedianSixteenHosts: stepMedians(sixteen.map((r) => r.stepsMs)),
    },
    badVersion: {
      runs: bad,
      wallMs: { allAtOnce: summarize(badOf("all-at-once").map((b) => b.wallMs)), canary10: summarize(badOf("canary 10%").map((b) => b.wallMs)) },
    },
    simulatedWan: { roundTripMs: WAN_MS, runs: main.wan, targetMs: main.wan[0]?.targetMs },
    manualRollbackMs: { warm: summarize(manual.warmMs), cold: summarize(manual.coldMs) },
    pollingHandover: handover,
    statusExitCode: main.cold.statusExit,
    sandbox: {
      startMs: round(main.startMs),
      benchRssBeforeWorldMb: mb(rssBefore),
      idleRssWithWorldMb: mb(main.idleRss),
      idleRssDeltaMb: mb(main.idleRss - rssBefore),
    },
    callDepthPerRelease: summarize(released.map((c) => c.depth)),
    // Wall time during which the release had a call of each kind in flight (overlaps counted once):
    // how much of releaseOverheadMs its host commands (each a Node process of the sandbox's docker
    // stand-in), AWS and Telegram calls account for.
    busyMsPerRelease: {
      host: summarize(released.map((c) => c.busyMs?.host ?? Number.NaN)),
      aws: summarize(released.map((c) => c.busyMs?.aws ?? Number.NaN)),
      telegram: summarize(released.map((c) => c.busyMs?.telegram ?? Number.NaN)),
      hostHttp: summarize(released.map((c) => c.busyMs?.hostHttp ?? Number.NaN)),
    },
    // Each with its ledger (calls per step, in order): v2 is the first release on its colour
    // (RegisterTargets, a gate round while the new targets are "initial"), v3 the steady state.
    countedCalls: { release: counts[0]?.calls, releaseSteadyState: counts[1]?.calls, warmRollback: manual.warmCalls[0] },
    countsWorld: {
      gates: TARGET_GATES,
      releaseWallMs: summarize(counts.map((c) => c.wallMs)),
      perRelease: counts.map((c) => ({
        image: c.image,
        aws: total(c.calls.aws),
        telegram: total(c.calls.telegram),
        host: total(c.calls.host),
        gatesMs: c.stepsMs.gates,
        bakeMs: c.stepsMs.bake,
      })),
      intervalOneSecond: {
        gates: SECOND_GATES,
        release: countsOneSecond[0]?.calls,
        aws: summarize(countsOneSecond.map((c) => total(c.calls.aws))),
        host: summarize(countsOneSecond.map((c) => total(c.calls.host))),
        telegram: summarize(countsOneSecond.map((c) => total(c.calls.telegram))),
      },
    },
    // The same counts in the main world (gates 300 ms apart, healthyThreshold 2, bake 2s: ~10 rounds
    // of one target-health read and one getWebhookInfo each): the per-round part at fast gates.
    countedCallsFastGates: {
      release: released[0],
      aws: summarize(released.map((c) => total(c.aws))),
      host: summarize(released.map((c) => total(c.host))),
      telegram: summarize(released.map((c) => total(c.telegram))),
    },
    apiCallsPerRelease: {
      release: releases[0]?.calls,
      rollbackRelease: rollbacks[0]?.calls,
      note: "telegram excludes sendMessage (the bots' own echo replies); docker counts first argv word per host command via a wrapper on PATH",
    },
    stepMsMedian: stepMedians(releases.map((r) => r.stepsMs)),
    runs: all.map(({ from: _f, to: _t, ...r }) => r),
  };
  const medians = Object.fromEntries(Object.entries(s).map(([k, v]) => [k, v.median]));
  const out = { ...medians, details: { summaries: s, ...details } };
  await mkdir(join(REPO, "bench", "results"), { recursive: true });
  await writeFile(join(REPO, "bench", "results", "latest.json"), `${JSON.stringify(out, null, 2)}\n`);
  if (json) process.stdout.write(`${JSON.stringify(out)}\n`);
  else process.stdout.write(renderTable(s, details));
}

main().then(
  () => process.exit(0),
  async (e: unknown) => {
    log(`bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    await Promise.allSettled([...live].map((w) => w.stop()));
    process.exit(1);
  },
);
