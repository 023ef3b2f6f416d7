// What the CLI tells the operator of a signal (src/cli/signals.ts), checked against what the run
// really leaves on the fakes (review2 L3): the `rollback` command's first signal has its own words
// (it stops between two steps, it does not wind down like a release); a second signal where a
// restart's mark is on the listener names the way out `release`'s refusal names, since a plain
// release refuses there; and an automatic rollback that throws ends its "rollback" step, so the
// words no longer speak of a rollback under way once it failed.
import { describe, expect, it } from "vitest";
import { signalWords } from "../../src/cli/signals.js";
import { decodeTags } from "../../src/domain/tags.js";
import { CancelledError, PreflightError, RollbackFailedError } from "../../src/errors.js";
import { release } from "../../src/orchestrator/release.js";
import { rollback } from "../../src/orchestrator/rollback.js";
import { restartMarkRemedy } from "../../src/orchestrator/switched-record.js";
import { REPO } from "../fakes/release-world.js";
import {
  blueStopsAsTheWebhookMoves,
  exitsRightAfterStart,
  killInRestartedGates,
  onEachStep,
  refuseRestartMark,
  releasedTwice,
  stopsAsTheListenerMoves,
} from "../fakes/rollback-setup.js";

const OPTS = { bakeMs: 20, lockWaitMs: 0, allowUnhealthyLive: false };
const RELEASE_FIRST = "SIGINT: finishing the current step, then stopping the new colour (or rolling back if traffic moved); send it again to exit at once";
const ROLLBACK_FIRST =
  "SIGINT: finishing the current step, then stopping the rollback between two of its steps (switches it moved are recorded first), its in-flight record kept for the next `bluegreen rollback production`; send it again to exit at once";
const RESTART_MARKED = `a rollback's restart stays recorded on the listener (phase restarting), its containers not gated: ${restartMarkRemedy("production")} (a plain \`bluegreen release\` refuses until then)`;

/** The CLI's words watching the run's step events; `at` is called on each event after the words saw it. */
function watched(env: Awaited<ReturnType<typeof releasedTwice>>["env"], command: string, at: (e: { step: string; status: string }) => void = () => {}) {
  const words = signalWords("production", command);
  onEachStep(env, (e) => {
    words.watch(e);
    at(e);
  });
  return words;
}

/** Aborts ctx.cancel (a first SIGINT) when the gates after a `start` begin; returns what the words said then. */
function sigintInRestartedGates(env: Awaited<ReturnType<typeof releasedTwice>>["env"], command: string) {
  const controller = new AbortController();
  env.ctx.cancel = controller.signal;
  const said: { first?: string; last?: string } = {};
  let started = false;
  const words = watched(env, command, (e) => {
    if (e.step === "start" && e.status === "ok") started = true;
    if (!started || controller.signal.aborted || e.step !== "gates" || e.status !== "start") return;
    said.first = words.first("SIGINT");
    controller.abort(new CancelledError("SIGINT"));
    said.last = words.last("SIGINT");
  });
  return said;
}

describe("the rollback command's signal words (review2 L3a, L3b)", () => {
  it("first signal: the rollback's own words; second, past its restart's mark: the way out release's refusal names, and both are true", async () => {
    const { env, host } = await releasedTwice();
    stopsAsTheListenerMoves(env, host, "blue");
    const said = sigintInRestartedGates(env, "rollback");
    const e = await rollback(env.ctx, { lockWaitMs: 0, runId: "rb" }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(CancelledError);
    expect(said.first).toBe(ROLLBACK_FIRST);
    expect(said.last).toBe(RESTART_MARKED);
    // What the words say: the mark stays, a plain release refuses naming the same way out...
    expect(decodeTags(env.lb.tags).inFlight).toMatchObject({ kind: "rollback", releaseId: "r1", phase: "restarting" });
    env.ctx.cancel = undefined;
    const refused = await release(env.ctx, { ...OPTS, imageRef: `${REPO}:v3`, releaseId: "r3" }).catch((x: unknown) => x);
    expect(refused).toBeInstanceOf(PreflightError);
    expect((refused as PreflightError).remedy).toBe(restartMarkRemedy("production"));
    // ...and `rollback` finishes it.
    const r = await rollback(env.ctx, { lockWaitMs: 0, runId: "rb2" });
    expect(r.message).toMatch(/^found an interrupted rollback r1 \(restarting\) to blue: finished it/);
  });

  it("a rollback resuming a restart's mark left by a dead run: a second signal names the same way out", async () => {
    const { env, host } = await releasedTwice();
    stopsAsTheListenerMoves(env, host, "blue");
    // The first rollback is killed in its restarted container's gates: the mark stays.
    const step0 = killInRestartedGates(env);
    await expect(rollback(env.ctx, { lockWaitMs: 0, runId: "rb" })).rejects.toThrow("killed");
    env.ctx.reporter = { step: step0 };
    // The next rollback gates it from the mark (no mark step of its own); SIGINT in those gates.
    const controller = new AbortController();
    env.ctx.cancel = controller.signal;
    let last: string | undefined;
    const words = watched(env, "rollback", (e) => {
      if (e.step !== "gates" || e.status !== "start") return;
      controller.abort(new CancelledError("SIGINT"));
      last = words.last("SIGINT");
    });
    await expect(rollback(env.ctx, { lockWaitMs: 0, runId: "rb2" })).rejects.toBeInstanceOf(CancelledError);
    expect(last).toBe(RESTART_MARKED);
    expect(decodeTags(env.lb.tags).inFlight).toMatchObject({ kind: "rollback", releaseId: "r1", phase: "restarting" });
    // Finished, the mark is gone: the words no longer speak of it.
    expect(env.events.some((e) => e.step === "recover" && e.detail?.phase === "restarting")).toBe(true);
    words.watch({ step: "finalize", status: "ok" });
    expect(words.last("SIGINT")).toBe(
      "`bluegreen status production` shows where this rollback stopped and what to run next; its lock stays until the next run takes it over",
    );
  });

  it("a release keeps its own words, and its automatic rollback's restart mark is named once written", async () => {
    const { env, host } = await releasedTwice();
    // r3 to blue: blue on i-2 dies as the webhook moves (the bake fails), green there as the listener moves back.
    blueStopsAsTheWebhookMoves(env, host);
    stopsAsTheListenerMoves(env, host, "green");
    const said = sigintInRestartedGates(env, "release");
    const r = await release(env.ctx, { ...OPTS, imageRef: `${REPO}:v3`, releaseId: "r3" });
    expect(r).toMatchObject({ outcome: "rolled-back", exitCode: 2 });
    expect(said.first).toBe("SIGINT: the rollback under way runs to its end (it checks what traffic went back to); send it again to exit at once");
    expect(said.last).toBe(RESTART_MARKED);
    expect(signalWords("production", "release").first("SIGINT")).toBe(RELEASE_FIRST);
    expect(signalWords("production", "promote").last("SIGINT")).toBeUndefined();
  });
});

describe("the events the words read", () => {
  it("a restart's mark the listener refused (TooManyTags) is no mark: the words do not name it", async () => {
    const { env, host } = await releasedTwice();
    stopsAsTheListenerMoves(env, host, "blue");
    refuseRestartMark(env);
    const said = sigintInRestartedGates(env, "rollback");
    await expect(rollback(env.ctx, { lockWaitMs: 0, runId: "rb" })).rejects.toBeInstanceOf(CancelledError);
    expect(env.events.filter((e) => e.step === "mark-restarting").map((e) => e.status)).toEqual(["start", "info", "ok"]);
    expect(decodeTags(env.lb.tags).inFlight).toBeNull();
    expect(said.last).toBe(
      "`bluegreen status production` shows where this rollback stopped and what to run next; its lock stays until the next run takes it over",
    );
  });

  it("a release that found a restart's mark refuses it or abandons it: not counted as one", () => {
    const release = signalWords("production", "release");
    release.watch({ step: "recover", status: "info", detail: { kind: "rollback", phase: "restarting" } });
    expect(release.last("SIGINT")).toBeUndefined();
  });
});

describe("an automatic rollback that throws (review2 L3c)", () => {
  it("ends its rollback step (fail): the words no longer say a rollback is under way, and name the restart's mark it left", async () => {
    const { env, host } = await releasedTwice();
    blueStopsAsTheWebhookMoves(env, host);
    stopsAsTheListenerMoves(env, host, "green");
    // The restarted green container exits at once: the automatic rollback fails (exit 3).
    exitsRightAfterStart(host, "green");
    const words = watched(env, "release");
    const e = await release(env.ctx, { ...OPTS, imageRef: `${REPO}:v3`, releaseId: "r3" }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(RollbackFailedError);
    expect(env.events.filter((x) => x.step === "rollback" && x.status !== "info").map((x) => x.status)).toEqual(["start", "fail"]);
    expect(env.events.at(-1)).toMatchObject({ step: "rollback", status: "fail", message: (e as Error).message });
    // While the CLI notifies and frees the lock after it, a signal is told the truth.
    expect(words.first("SIGINT")).toBe(RELEASE_FIRST);
    expect(words.last("SIGINT")).toBe(RESTART_MARKED);
    expect(decodeTags(env.lb.tags).inFlight).toMatchObject({ kind: "rollback", releaseId: "r2", phase: "restarting" });
  });
});
