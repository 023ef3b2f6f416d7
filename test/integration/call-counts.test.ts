// Every call earns its place: a release and a warm rollback through the real CLI, with the calls
// counted in the adapters (BLUEGREEN_CALL_COUNTS) and held to upper bounds. A count that grows
// fails here. Polling is the only part that varies with the machine's speed: the bake is one
// interval long (so it makes exactly one check), and the gates' attempts are read from the run's
// own events, so each bound is a fixed part plus a per-attempt cost.
import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CallCounts } from "../../src/adapters/call-count.js";
import { listenPolls } from "../../src/orchestrator/listen-wait.js";
import { expectExit, expectLive, stopWorld, tolerantHealthChecks } from "../helpers/assertions.js";
import { type CliResult, startTestWorld, type TestWorld } from "../helpers/sandbox-env.js";

const HOSTS = 2;
const INTERVAL_MS = 1000;
const BAKE_MS = 1000;
/** gates.healthyThreshold in this world (the test worlds' default): the gates pass in at least this many attempts. */
const HEALTHY_THRESHOLD = 2;

let t: TestWorld;
beforeAll(async () => {
  t = await startTestWorld({
    firstHost: 160,
    hosts: HOSTS,
    gates: { interval: `${INTERVAL_MS}ms`, bake: `${BAKE_MS}ms`, bakeEvidence: 1, healthyThreshold: HEALTHY_THRESHOLD },
  });
  await tolerantHealthChecks(t);
});
afterAll(async () => {
  await stopWorld(t);
});

/** The lease (1m in the test world) is renewed every third of it while a run lasts: time-dependent, so allowed for. */
const RENEW_EVERY_MS = 20_000;

async function counted(args: string[]): Promise<{ r: CliResult; calls: CallCounts; renewals: number }> {
  const file = join(t.dir, `calls-${Date.now()}.json`);
  const saved = t.env.BLUEGREEN_CALL_COUNTS;
  t.env.BLUEGREEN_CALL_COUNTS = file;
  try {
    const started = Date.now();
    const r = await t.cli(args);
    const renewals = Math.floor((Date.now() - started) / RENEW_EVERY_MS);
    const calls = JSON.parse(await readFile(file, "utf8")) as CallCounts;
    await rm(file, { force: true });
    return { r, calls, renewals };
  } finally {
    if (saved === undefined) delete t.env.BLUEGREEN_CALL_COUNTS;
    else t.env.BLUEGREEN_CALL_COUNTS = saved;
  }
}

const sum = (b: Record<string, number>) => Object.values(b).reduce((a, x) => a + x, 0);

/**
 * Upper bounds: `fixed` + `perGate` x gate attempts. Host commands are per host (`perHost` +
 * `perHostPerGate` x attempts on every host) plus what only the lock host runs. Lower these when a
 * change saves calls; never raise one without saying in the commit which call earns its place.
 */
const RELEASE = {
  // 38 (was 66): the loop observes once per step with only the facts that step can move (#17:
  // observe.ts refreshAfter), the loop starts from the preflight's world, and the listener's tags
  // are read once per run. The bake needs evidence (#13) and its window ends with a check, so a
  // one-interval bake makes two checks (DescribeTargetHealth, getWebhookInfo, /health and two
  // host commands per host each). +1: one GetMetricData after the bake counts the updates that
  // reached the new colour ("no update arrived: unverified", #13/#18). +6: DescribeRules with every
  // read of the listener, so the path rule the webhook's path matches counts in the one reading of
  // the listener (#12).
  // 23 (was 38, #17): DescribeRules once per run, with the whole observe every run starts with (no
  // run writes rules; -5: after mark-staging, mark-cutover, the cutover, the bake and finalize);
  // the listener's default action is read only before the cutover writes it and right after
  // (-3: after mark-staging and finalize the tags come from the adapter's copy of our own writes,
  // and after the bake it is as the cutover read it back); DescribeTargetHealth only where the
  // world lacks it (-4: after staging, which registers nothing; after register, whose write says
  // what is registered; after the gates, which just saw every target healthy; both groups after
  // the bake, which watched the new one); both target groups in one DescribeTargetGroups (-1).
  // 21 (was 23, #17): the in-flight record is not rewritten to a "baking" phase after the cutover
  // (-1 AddTags: nothing decides on that phase; status tells from the switches how far a run got),
  // and the cutover's read-back is ModifyListener's own answer, the listener after the move
  // (-1 DescribeListeners).
  // 20: the connect takes the load balancer's ARN from the target groups' LoadBalancerArns (its
  // listener forwards to both colours after the first release) instead of DescribeLoadBalancers.
  aws: { fixed: 20, perGate: 1 },
  // 11 (was 15): the webhook is read after the gates and right before the cutover (a bot's late
  // call), watched through the settle window, and read back last before the outcome (#13).
  // 9 (was 11, #17): the observe after the bake takes the webhook from the bake's own last
  // reading, and the one after the cutover from what the cutover set (the bake reads it at once);
  // the reads after the gates and right before the cutover, and the read-back last, stay.
  telegram: { fixed: 9, perGate: 1 },
  // 20 (was 25): fewer observes, and staging does not pull again the digest resolveDigest pulled on
  // that host moments before. Adoption (#12) added two per host: `docker ps --all` for unmanaged
  // containers at preflight, and an inspect of the colour's name right before it is removed
  // (never remove what we did not start).
  // +1: the hosts are read again after the cutover (a poller's handover stops the old poller).
  // 12 (was 20): one exec per phase per host (#17, src/remote/phases.ts): docker version + df +
  // ps --all in one (-2), pull + digest lookup in one (-1), the guard inspect + rm + env file +
  // docker run in one (-3), and each of the two bake checks' inspect + stats in one (-2).
  // 11 (was 12): the bake's restart baseline comes from the world the cutover was decided on (no
  // inspect of its own). Lock host 3 (was 4): the lease check and the lock's removal at the end
  // are one command.
  // 6 per host, the passing gate attempt's inspect included (was 11 + 1 per gate attempt = 14 with
  // three, #17): the observe after staging takes the staging batch's own inspect (-1); a gate
  // attempt whose /health passes inspects only when it completes gates.healthyThreshold (-2 of the
  // three attempts here: restart counts are cumulative), and the observe after the gates takes that inspect
  // (-1); a webhook release's cutover stops no container, so its hosts are not read again (-1);
  // a bake check whose /health and target are fine inspects only when it closes the window (or
  // every 5 s), and the observe after the bake takes that inspect (-2). An attempt beyond the
  // threshold (a wait: /health not answering yet) may inspect: 1 per host each.
  // 5 (was 6): a release's first observe reads the containers and the preflight's probe (docker
  // version, df, ps --all) in one exec (phases.firstLook), -1 per host.
  // An attempt beyond the threshold no longer costs an inspect by itself (#17): only one that failed
  // on a host (its /health, or its target seen unhealthy: gateInspects and the failed-probes
  // inspect) inspects, 1 per host at most. The first attempt waits for a bot this run started to
  // listen (listen-wait.ts), so a bot a moment from binding its port no longer fails it; an extra
  // attempt for the ALB's own threshold (a target still "initial") inspects nothing.
  host: { perHost: 5, perHostPerHostFailure: 1, lockHost: 3 },
  // + the first gate attempt's wait for the new bot to listen (#17, listen-wait.ts): its refused
  // requests, at most listenPolls(gates.interval) - 1 more per host, and only while it refuses.
  hostHttp: { perHost: 2, perHostPerGate: 1, perHostListenWait: listenPolls(INTERVAL_MS) - 1 },
};
const WARM_ROLLBACK = {
  // 21 (was 25): fewer observes (#17); DescribeRules with every read of the listener (#12).
  // 19: DescribeRules only with the run's whole observes, not after finalize (-1); both target
  // groups in one DescribeTargetGroups (-1).
  // 14 (was 19; measured 17 before): after the switches move, the bookkeeping is decided on the
  // run's own world (rollback-refresh.ts), not a whole observe: no DescribeRules (-1, no run writes
  // rules) and no DescribeTargetHealth of either group (-2: moving the switches registers nothing,
  // and the readiness check before the move saw the colour healthy); the listener is read back.
  // 13: no DescribeInstanceStatus (598ce07: only a release reads the EC2 status checks).
  // 12: no DescribeLoadBalancers (the target groups' LoadBalancerArns name it, as for a release).
  aws: 12,
  // 3 (was 5; measured 4 before): no getWebhookInfo after the move (-1): the webhook is what
  // setWebhook wrote until the read-back last, after every stop, which stays.
  telegram: 3,
  // Lock host 3 (was 4): the lease check and the lock's removal are one command (#17).
  // 2 per host (was 4; measured 3 before): the warm check takes the containers from the run's first
  // observe instead of its own inspect (-1); the containers are read once after the move (the bots'
  // to move).
  host: { perHost: 2, lockHost: 3 },
  hostHttp: { perHost: 1 },
};
/** Gate attempts: every failed attempt is reported as a gates note (--json), plus the one that passed. */
const gateAttempts = (r: CliResult) => r.events.filter((e) => e.type === "note" && e.step === "gates").length + 1;
/**
 * Gate attempts that failed on a host (`i-...: GET /health ...`) or on a target the ALB saw
 * unhealthy: the only ones that inspect besides the threshold's (a "target ... is initial" wait or
 * a pass toward the threshold inspects nothing).
 */
const hostFailures = (r: CliResult) =>
  r.events.filter((e) => e.type === "note" && e.step === "gates" && /^i-[0-9a-z]+: |^target \S+ is unhealthy/.test(String(e.message ?? ""))).length;

describe("calls per release and per warm rollback (counted in the adapters)", { timeout: 150_000 }, () => {
  it("a release stays within its call budget", async () => {
    expectExit(await t.cli(["release", "itest", "--image", "v1", "--json"]), 0);
    const { r, calls, renewals } = await counted(["release", "itest", "--image", "v2", "--json"]);
    expectExit(r, 0);
    await expectLive(t, "green");
    const gates = gateAttempts(r);
    const report = JSON.stringify({ gates, hostFailures: hostFailures(r), renewals, calls });
    expect(sum(calls.aws), report).toBeLessThanOrEqual(RELEASE.aws.fixed + RELEASE.aws.perGate * gates);
    expect(sum(calls.telegram), report).toBeLessThanOrEqual(RELEASE.telegram.fixed + RELEASE.telegram.perGate * gates);
    expect(sum(calls.host), report).toBeLessThanOrEqual(
      HOSTS * (RELEASE.host.perHost + RELEASE.host.perHostPerHostFailure * hostFailures(r)) + RELEASE.host.lockHost + renewals,
    );
    expect(sum(calls.hostHttp), report).toBeLessThanOrEqual(
      HOSTS * (RELEASE.hostHttp.perHost + RELEASE.hostHttp.perHostPerGate * gates + RELEASE.hostHttp.perHostListenWait),
    );
    // Every host is worked on: no host is skipped to make the numbers.
    expect(Object.keys(calls.host), report).toHaveLength(HOSTS);
    // The two switches move exactly once each.
    expect(calls.aws.ModifyListener, report).toBe(1);
    expect(calls.telegram.setWebhook, report).toBe(1);
  });

  it("a warm rollback stays within its call budget", async () => {
    const { r, calls, renewals } = await counted(["rollback", "itest", "--json"]);
    expectExit(r, 0);
    expect(r.result).toMatchObject({ mode: "warm" });
    await expectLive(t, "blue");
    const report = JSON.stringify({ renewals, calls });
    expect(sum(calls.aws), report).toBeLessThanOrEqual(WARM_ROLLBACK.aws);
    expect(sum(calls.telegram), report).toBeLessThanOrEqual(WARM_ROLLBACK.telegram);
    expect(sum(calls.host), report).toBeLessThanOrEqual(HOSTS * WARM_ROLLBACK.host.perHost + WARM_ROLLBACK.host.lockHost + renewals);
    expect(sum(calls.hostHttp), report).toBeLessThanOrEqual(HOSTS * WARM_ROLLBACK.hostHttp.perHost);
    expect(calls.aws.ModifyListener, report).toBe(1);
    expect(calls.telegram.setWebhook, report).toBe(1);
  });
});
