// Setup shared by the rollback unit tests (restart mark, resumed settle, polling gates, SIGINT,
// refresh, status): the same releases, the same crash and kill hooks, written once so that each
// test file says only what differs in its scenario.
import { TAG } from "../../src/domain/tags.js";
import { release } from "../../src/orchestrator/release.js";
import type { fakePollingEnvironment } from "./release-world.js";
import { fakeEnvironment, REPO } from "./release-world.js";

type Env = ReturnType<typeof fakeEnvironment> | ReturnType<typeof fakePollingEnvironment>;
type Step = Env["ctx"]["reporter"]["step"];
type StepEvent = Parameters<Step>[0];

const BLUE = "telegram-bot-blue";
const GREEN = "telegram-bot-green";

/** Releases r1 (v1, to blue) then r2 (v2, to green); the results, for the caller to assert on. */
export async function releaseR1R2(env: Env) {
  const out = [];
  for (const [v, id] of [
    ["v1", "r1"],
    ["v2", "r2"],
  ] as const) {
    out.push(await release(env.ctx, { imageRef: `${REPO}:${v}`, releaseId: id, bakeMs: 20, lockWaitMs: 0, allowUnhealthyLive: false }));
  }
  return out;
}

/**
 * Webhook mode: r1 (blue) then r2 (green, live; blue kept warm for 10 minutes), both released (a
 * release that is not throws); i-2 is the host the scenarios' faults hit.
 */
export async function releasedTwice() {
  const env = fakeEnvironment();
  env.settings.rollout.keepPreviousWarmMs = 600_000;
  for (const r of await releaseR1R2(env)) if (r.outcome !== "released") throw new Error(`setup: ${r.releaseId} ended ${r.outcome}`);
  const host = env.hosts[1];
  if (host === undefined) throw new Error("two hosts expected");
  return { env, host };
}

/** Wraps the reporter: `kill` sees every step event after it is reported and may throw there. Returns the original step. */
export function onEachStep(env: Env, kill: (e: StepEvent) => void): Step {
  const step = env.ctx.reporter.step.bind(env.ctx.reporter);
  env.ctx.reporter = {
    step: (e) => {
      step(e);
      kill(e);
    },
  };
  return step;
}

/** Throws `error` once a rollback has started and `at` (a step event) is reported. */
export function killInRollbackAt(env: Env, at: (e: StepEvent) => boolean, error: () => Error): Step {
  let rolling = false;
  return onEachStep(env, (e) => {
    if (e.step === "rollback" && e.status === "start") rolling = true;
    if (rolling && at(e)) throw error();
  });
}

/** Polling: stopping blue crashes green (one restart counted) on every host, so green's bake fails on its own. */
export function greenCrashesWhenBlueStops(env: ReturnType<typeof fakePollingEnvironment>): void {
  for (const h of env.hosts) {
    h.onStop = (c) => {
      const green = h.containers.get(GREEN);
      if (c.name === BLUE && green !== undefined) green.restartCount += 1;
    };
  }
}

/** Webhook mode: blue's container on `host` stops right after the setWebhook that points the webhook at blue. */
export function blueStopsAsTheWebhookMoves(env: ReturnType<typeof fakeEnvironment>, host: ReturnType<typeof fakeEnvironment>["hosts"][number]): void {
  const setWebhook = env.ctx.telegram.setWebhook.bind(env.ctx.telegram);
  env.ctx.telegram.setWebhook = async (p) => {
    await setWebhook(p);
    const c = host.containers.get(BLUE);
    if (p.url === env.settings.webhook.urls.blue && c !== undefined) c.running = false;
  };
}

/** Webhook mode: `colour`'s container on `host` stops right after the ModifyListener that sends that colour all the traffic. */
export function stopsAsTheListenerMoves(
  env: ReturnType<typeof fakeEnvironment>,
  host: ReturnType<typeof fakeEnvironment>["hosts"][number],
  colour: "blue" | "green",
): void {
  const setForward = env.lb.setForward.bind(env.lb);
  env.lb.setForward = async (arn, f) => {
    const answer = await setForward(arn, f);
    const c = host.containers.get(`telegram-bot-${colour}`);
    if (c !== undefined && f.find((t) => t.targetGroupArn === env.groups[colour].arn)?.weight === 1) c.running = false;
    return answer;
  };
}

/** `colour`'s container on `host` exits right after every `docker start` of it (a crash on start). */
export function exitsRightAfterStart(host: ReturnType<typeof fakeEnvironment>["hosts"][number], colour: "blue" | "green"): void {
  const exec = host.exec.bind(host);
  host.exec = async (argv, o) => {
    const answer = await exec(argv, o);
    if (argv[0] === "docker" && argv[1] === "start" && argv.includes(`telegram-bot-${colour}`)) {
      const c = host.containers.get(`telegram-bot-${colour}`);
      if (c !== undefined) c.running = false;
    }
    return answer;
  };
}

/** A run killed (Error "killed") as the gates of a container it restarted start: the restart's mark stays. Returns the original step. */
export function killInRestartedGates(env: Env): Step {
  let started = false;
  return onEachStep(env, (e) => {
    if (e.step === "start" && e.status === "ok") started = true;
    if (started && e.step === "gates" && e.status === "start") throw new Error("killed");
  });
}

/** The listener refuses the restart's mark (phase restarting) with TooManyTags; every other tag write goes through. */
export function refuseRestartMark(env: ReturnType<typeof fakeEnvironment>): void {
  const setTags = env.lb.setTags.bind(env.lb);
  env.lb.setTags = async (arn, tags) => {
    if (tags[TAG.flightPhase] === "restarting") throw new Error("TooManyTags: the listener has 50 tags");
    return setTags(arn, tags);
  };
}

/**
 * A restarted bot's late start-up call: once `finalize` is reported ok, right after the webhook's
 * second read from then on (the run's observe of its result, then the read-back that used to be
 * the last), Telegram's webhook is set to `url`. Wraps the reporter in place when called. Returns
 * how many webhook reads there were after the finalize so far.
 */
export function lateSetWebhookAfterFinalize(env: ReturnType<typeof fakeEnvironment>, url = "https://late.example/wrong"): () => number {
  let finalized = false;
  let reads = 0;
  onEachStep(env, (e) => {
    if (e.step === "finalize" && e.status === "ok") finalized = true;
  });
  const get = env.ctx.telegram.getWebhookInfo.bind(env.ctx.telegram);
  env.ctx.telegram.getWebhookInfo = async (o) => {
    const info = await get(o);
    if (finalized && ++reads === 2) env.telegram.info = { ...env.telegram.info, url };
    return info;
  };
  return () => reads;
}
