// `plan` shows each host's work as the release runs it: one exec per phase, each with its steps,
// built by the release's own builders. Compared here with what a release really ran on a host
// (the fakes record every exec), so plan and release cannot drift.
import { describe, expect, it } from "vitest";
import { execLines, hostExecs, type PlannedExec, plannedExec, stagingCommands } from "../../src/cli/commands/plan-host.js";
import { release } from "../../src/orchestrator/release.js";
import { decodeBatch } from "../../src/remote/batch.js";
import { docker } from "../../src/remote/docker.js";
import { writeFilePrivate } from "../../src/remote/files.js";
import { settingsFor } from "../fakes/argv-ctx.js";
import { fakeEnvironment, REPO } from "../fakes/release-world.js";

/** An exec as the plan describes it, without the `when` (a recorded exec does not say why it ran). */
const shape = (e: PlannedExec) => ({ phase: e.phase, batch: e.batch, steps: e.steps.map(({ guard: _, ...s }) => s) });

/** The distinct execs a host ran, in first-seen order, as the plan describes one (phase left out). */
function distinctExecs(execs: readonly string[][]): { batch: boolean; steps: PlannedExec["steps"] }[] {
  const seen = new Map<string, { batch: boolean; steps: PlannedExec["steps"] }>();
  for (const argv of execs) {
    const e = plannedExec("observe", "", argv);
    const key = JSON.stringify(e.steps);
    if (!seen.has(key)) seen.set(key, { batch: decodeBatch(argv) !== null, steps: e.steps });
  }
  return [...seen.values()];
}

describe("plan's host execs against a release's", () => {
  it("a second release (blue live -> green): every exec the release ran on a host, in order, is the plan's, and no other", async () => {
    const env = fakeEnvironment();
    const first = await release(env.ctx, { imageRef: `${REPO}:v1`, releaseId: "r1", bakeMs: 20, lockWaitMs: 0, allowUnhealthyLive: false });
    expect(first.outcome).toBe("released");
    const host = env.hosts[1];
    if (host === undefined) throw new Error("two hosts");
    host.execs.length = 0;
    const r = await release(env.ctx, { imageRef: `${REPO}:v2`, releaseId: "r2", bakeMs: 20, lockWaitMs: 0, allowUnhealthyLive: false });
    expect(r.outcome).toBe("released");
    const planned = hostExecs({
      settings: env.settings,
      ref: `${REPO}:v2`,
      goal: { kind: "release", colour: "green", releaseId: "r2", image: r.image, from: "blue" },
      adoption: true,
    });
    // The gate attempts' inspect and a later observe's are the same `docker inspect`: once in the distinct list.
    const plannedDistinct = planned.filter((e) => e.phase !== "observe").map(shape);
    expect(distinctExecs(host.execs)).toEqual(plannedDistinct.map(({ phase: _, ...e }) => e));
    expect(planned.map((e) => e.phase)).toEqual(["preflight", "pull", "stage", "gate", "bake", "observe"]);
  });
});

describe("hostExecs", () => {
  const settings = settingsFor();
  const goal = { kind: "release" as const, colour: "green" as const, releaseId: "<release-id>", image: `${REPO}@<digest>`, from: "blue" as const };
  const byPhase = (execs: PlannedExec[], phase: PlannedExec["phase"]) => execs.find((e) => e.phase === phase);

  it("stage: the remove-if-ours guard (never a bare docker rm), the env file through stdin, no second pull of what resolve pulled, then docker run", () => {
    const execs = hostExecs({ settings, ref: `${REPO}:v2`, goal, adoption: true });
    const stage = byPhase(execs, "stage");
    expect(stage?.batch).toBe(true);
    expect(stage?.steps.map((s) => s.argv)).toEqual([
      docker.removeIfOurs("telegram-bot-green", "green"),
      writeFilePrivate("/etc/bluegreen/env/production/telegram-bot-green.env"),
      expect.arrayContaining(["docker", "run", "--name", "telegram-bot-green", `${REPO}@<digest>`]),
      // #17: the containers as they are after the run, which the observe after staging takes.
      docker.inspect(["telegram-bot-blue", "telegram-bot-green"]),
    ]);
    expect(stage?.steps[2]?.stop).toBe(true);
    expect(stage?.steps[0]).toMatchObject({
      stop: true,
      guard:
        "removes telegram-bot-green only if its bluegreen.colour label is green (a container bluegreen staged); none there: nothing to do; one without that label: the release stops, touching nothing",
    });
    expect(stage?.steps[1]).toEqual({ argv: writeFilePrivate("/etc/bluegreen/env/production/telegram-bot-green.env"), stop: true, stdin: true });
    expect(execs.flatMap((e) => e.steps).some((s) => s.argv[0] === "docker" && s.argv[1] === "rm")).toBe(false);
  });

  it("stage pulls by digest when --image names another repository (resolve's pull did not leave repository@digest)", () => {
    const stage = byPhase(hostExecs({ settings, ref: "registry.example/other:v2", goal, adoption: true }), "stage");
    expect(stage?.steps.map((s) => s.argv)[2]).toEqual(docker.pull(`${REPO}@<digest>`));
    expect(stage?.steps[2]).toEqual({ argv: docker.pull(`${REPO}@<digest>`), stop: true });
  });

  it("the first look reads the containers and the preflight's probe, listing every container in a webhook environment (adoption); pull reads the digests after a good pull", () => {
    const withPs = hostExecs({ settings, ref: `${REPO}:v2`, goal, adoption: true });
    const inspect = { argv: docker.inspect(["telegram-bot-blue", "telegram-bot-green"]) };
    expect(byPhase(withPs, "preflight")?.steps).toEqual([inspect, { argv: docker.version() }, { argv: ["df", "-Pk", "/"] }, { argv: docker.listAll() }]);
    expect(byPhase(hostExecs({ settings: { ...settings, mode: "polling" }, ref: `${REPO}:v2`, goal, adoption: false }), "preflight")?.steps).toEqual([
      inspect,
      { argv: docker.version() },
      { argv: ["df", "-Pk", "/"] },
    ]);
    expect(byPhase(withPs, "pull")?.steps).toEqual([{ argv: docker.pull(`${REPO}:v2`), stop: true }, { argv: docker.repoDigests(`${REPO}:v2`) }]);
    expect(byPhase(withPs, "bake")?.steps).toEqual([
      { argv: docker.inspect(["telegram-bot-blue", "telegram-bot-green"]) },
      { argv: docker.stats(["telegram-bot-green"]) },
    ]);
    expect(byPhase(withPs, "observe")).toMatchObject({ batch: false, steps: [{ argv: docker.inspect(["telegram-bot-blue", "telegram-bot-green"]) }] });
  });

  it("hostCommands (--json) is the steps before the container runs, in order; the text shows each exec and its steps", () => {
    const execs = hostExecs({ settings, ref: `${REPO}:v2`, goal, adoption: false });
    expect(stagingCommands(execs).map((a) => a.slice(0, 3).join(" "))).toEqual([
      "docker inspect --type",
      "docker version --format",
      "df -Pk /",
      "docker ps --all",
      `docker pull ${REPO}:v2`,
      "docker image inspect",
      'sh -c l=$(docker inspect --type container --format "$3" "$1" 2>/dev/null) || exit 0; if [ "$l" != "$2" ]; then echo "$1 was not started by bluegreen" >&2; exit 3; fi; docker rm --force "$1" >/dev/null || true',
      'sh -c umask 077 && mkdir -p "$(dirname "$1")" && cat > "$1.tmp.$$" && mv -f "$1.tmp.$$" "$1"',
      "docker run --detach",
    ]);
    const lines = execLines(execs.filter((e) => e.phase === "pull" || e.phase === "gate"));
    expect(lines).toEqual([
      "    pull, once: one exec (a batch of 2 steps in order):",
      `      docker pull ${REPO}:v2  [a failure ends the exec]`,
      `      docker image inspect --format '{{json .RepoDigests}}' ${REPO}:v2`,
      "    gate, the gate attempt completing gates.healthyThreshold, one whose /health failed, every attempt without /health (a poller): one exec:",
      "      docker inspect --type container telegram-bot-blue telegram-bot-green",
    ]);
    expect(execLines(execs.filter((e) => e.phase === "stage"))[1]).toMatch(
      /^ {6}guard \(removes telegram-bot-green only if .*\): sh -c '.*' sh telegram-bot-green green '\{\{index \.Config\.Labels "bluegreen\.colour"\}\}' {2}\[a failure ends the exec\]$/,
    );
  });
});
