// `plan` against a polling release on the fakes, phase for phase: each exec a release ran on a host
// is, in order, the one the plan shows for that phase (the first look, pull, stage, one gate
// inspect per attempt, the handover's inspect and `docker stop`, the observe after it, one bake
// check per check), and no other; likewise a webhook -> polling switch, whose cutover stops the
// webhook colour. The webhook counterpart is plan-host.test.ts.
import { describe, expect, it } from "vitest";
import { pollingSteps } from "../../src/cli/commands/plan.js";
import { execLines, hostExecs, type PlannedExec, plannedExec } from "../../src/cli/commands/plan-host.js";
import { switchSteps } from "../../src/cli/commands/plan-switch.js";
import type { Colour } from "../../src/domain/types.js";
import { release } from "../../src/orchestrator/release.js";
import { decodeBatch } from "../../src/remote/batch.js";
import { docker } from "../../src/remote/docker.js";
import { formatArgvForDisplay } from "../../src/remote/quote.js";
import { settingsFor } from "../fakes/argv-ctx.js";
import { fakeEnvironment, fakePollingEnvironment, REPO } from "../fakes/release-world.js";

type Shape = Pick<PlannedExec, "batch" | "steps">;
/** An exec as the plan describes one, without its phase, its `when` and the guard's explanation. */
const shape = (e: PlannedExec): Shape => ({ batch: e.batch, steps: e.steps.map(({ guard: _, ...s }) => s) });
/** A recorded exec as the plan would describe it (a batch's random marker decoded away). */
const ran = (argv: readonly string[]): Shape => shape(plannedExec("observe", "", argv));

/** The lock, the release-state file and the history: the lock host's own commands, shown as plan's lock and finalize steps. */
const lockHostOwn = (argv: readonly string[]) => decodeBatch(argv) === null && argv[0] === "sh";

type Env = Pick<ReturnType<typeof fakeEnvironment>, "ctx" | "hosts" | "settings">;

async function releaseAndPlan(env: Env, version: string, releaseId: string, from: Colour | null) {
  for (const h of env.hosts) h.execs.length = 0;
  const r = await release(env.ctx, { imageRef: `${REPO}:${version}`, releaseId, bakeMs: 20, lockWaitMs: 0, allowUnhealthyLive: false });
  expect(r.outcome, JSON.stringify(r)).toBe("released");
  const colour: Colour = from === "blue" ? "green" : "blue";
  // What `plan` builds for this world (plan.ts): a polling release stops the other colour at its handover.
  const planned = hostExecs({
    settings: env.settings,
    ref: `${REPO}:${version}`,
    goal: { kind: "release", colour, releaseId, image: r.image, from },
    adoption: false,
    handover: colour === "blue" ? "green" : "blue",
  });
  const phase = (p: PlannedExec["phase"], n = 0): PlannedExec => {
    const e = planned.filter((x) => x.phase === p)[n];
    if (e === undefined) throw new Error(`the plan has no ${p} exec #${n + 1}`);
    return e;
  };
  return { r, planned, phase };
}

/**
 * Each host's execs (the lock host's own commands left out), labelled with the plan's phase at
 * their position, against the plan: `before` in order, then the bake's check for every check that
 * inspected (a poller has no /health: every check, at least gates.bakeEvidence of them). Returns
 * the bake checks per host.
 */
function phaseForPhase(env: Env, before: PlannedExec[], bake: PlannedExec, minChecks = env.settings.gates.bakeEvidence): number[] {
  return env.hosts.map((h) => {
    const execs = h.execs.filter((a) => !lockHostOwn(a));
    const checks = execs.length - before.length;
    expect(checks).toBeGreaterThanOrEqual(minChecks);
    const expected = [...before, ...Array.from({ length: checks }, () => bake)];
    expect(
      execs.map((a, i) => ({ phase: expected[i]?.phase, ...ran(a) })),
      h.instanceId,
    ).toEqual(expected.map((e) => ({ phase: e.phase, ...shape(e) })));
    return checks;
  });
}

describe("plan's host execs against a polling release's, phase for phase", () => {
  it("plan lists a polling release's phases with the handover (the inspect, then docker stop) between the gates and the bake", () => {
    const settings = { ...settingsFor(), mode: "polling" as const };
    const execs = hostExecs({
      settings,
      ref: `${REPO}:v2`,
      goal: { kind: "release", colour: "green", releaseId: "<release-id>", image: `${REPO}@<digest>`, from: "blue" },
      adoption: false,
      handover: "blue",
    });
    expect(execs.map((e) => e.phase)).toEqual(["preflight", "pull", "stage", "gate", "handover", "handover", "bake", "observe"]);
    expect(execs.filter((e) => e.phase === "handover").map(shape)).toEqual([
      { batch: false, steps: [{ argv: docker.inspect(["telegram-bot-blue", "telegram-bot-green"]) }] },
      { batch: false, steps: [{ argv: docker.stop("telegram-bot-blue", 30) }] },
    ]);
  });

  it("first release (nothing live), then blue -> green: every exec on every host is the plan's for its phase, in order, and no other", async () => {
    const env = fakePollingEnvironment();
    const attempts = env.settings.gates.healthyThreshold;

    // First release: the handover reads the hosts, finds no green of ours and stops nothing; nothing stopped, nothing read again.
    const first = await releaseAndPlan(env, "v1", "r1", null);
    phaseForPhase(
      env,
      [
        first.phase("preflight"),
        first.phase("pull"),
        first.phase("stage"),
        ...Array.from({ length: attempts }, () => first.phase("gate")),
        first.phase("handover", 0),
      ],
      first.phase("bake"),
    );

    // Blue -> green: the handover stops blue (kept), and the observe after it reads the hosts once.
    const second = await releaseAndPlan(env, "v2", "r2", "blue");
    phaseForPhase(
      env,
      [
        second.phase("preflight"),
        second.phase("pull"),
        second.phase("stage"),
        ...Array.from({ length: attempts }, () => second.phase("gate")),
        second.phase("handover", 0),
        second.phase("handover", 1),
        second.phase("observe"),
      ],
      second.phase("bake"),
    );
    for (const h of env.hosts) expect(h.containers.get("telegram-bot-blue")?.running).toBe(false);
  });

  it("container.stopSignal: the handover's docker stop carries --signal, in the plan as in the release", async () => {
    const env = fakePollingEnvironment();
    env.settings.container.stopSignal = "SIGINT";
    await releaseAndPlan(env, "v1", "r1", null);
    const { phase } = await releaseAndPlan(env, "v2", "r2", "blue");
    const stop = docker.stop("telegram-bot-blue", 30, "SIGINT");
    expect(phase("handover", 1).steps).toEqual([{ argv: stop }]);
    for (const h of env.hosts) expect(h.execs.filter((a) => a[1] === "stop")).toEqual([stop]);
    expect(execLines([phase("handover", 1)])[1]).toBe(`      ${formatArgvForDisplay(stop)}`);
  });
});

describe("plan's host execs against a mode switch's, phase for phase", () => {
  it("webhook -> polling: the switch's cutover stops the webhook colour (the handover's inspect and docker stop), as plan shows it", async () => {
    const env = fakeEnvironment();
    expect((await releaseAndPlan(env, "v1", "r1", null)).r.outcome).toBe("released");
    // The environment now says polling: blue serves the webhook, green is staged as a poller (plan.ts: a switch stops the other colour).
    env.settings.mode = "polling";
    const { r, phase } = await releaseAndPlan(env, "v2", "r2", "blue");
    expect(r.steps).toContain("cutover");
    // /health is configured and asked (the goal's mode is the environment's): the gates inspect
    // once, on the attempt completing the threshold, and the 20 ms bake only at its closing check.
    const checks = phaseForPhase(
      env,
      [phase("preflight"), phase("pull"), phase("stage"), phase("gate"), phase("handover", 0), phase("handover", 1), phase("observe")],
      phase("bake"),
      1,
    );
    expect(checks).toEqual([1, 1]);
    for (const h of env.hosts) expect(h.containers.get("telegram-bot-blue")?.running).toBe(false);
  });
});

describe("the plan's text names the stops as the run makes them (container.stopSignal)", () => {
  it("a polling release's handover line", () => {
    const settings = { ...settingsFor(), mode: "polling" as const };
    settings.container = { ...settings.container, stopSignal: "SIGINT" };
    const handover = pollingSteps(settings, "green", "blue", [], "").find((l) => l.startsWith("handover:"));
    expect(handover).toBe(
      `handover: deleteWebhook if this environment's own webhook is set (pending updates kept; any other webhook refuses the release before anything changes), then \`${formatArgvForDisplay(docker.stop("telegram-bot-blue", 30, "SIGINT"))}\` on every host (kept, stopped, for a rollback)`,
    );
  });

  it("a mode switch: every docker stop it shows (the cutover's and the rollback's)", () => {
    const settings = settingsFor();
    settings.container.stopSignal = "SIGINT";
    const text = switchSteps(settings, { colour: "green", releaseId: "r1", image: "bot@sha256:abc", mode: "polling" }, [], "").join("\n");
    expect(text).toContain(`\`${formatArgvForDisplay(docker.stop("telegram-bot-green", 30, "SIGINT"))}\``);
    expect(text).toContain(`\`${formatArgvForDisplay(docker.stop("telegram-bot-blue", 30, "SIGINT"))}\``);
    expect(text).not.toMatch(/docker stop --time 30 telegram-bot/);
  });
});
