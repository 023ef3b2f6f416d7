// The host side of `plan` (and `release --dry-run`): what a release runs on every host, as the
// release runs it: one exec per phase per host (src/remote/phases.ts), each exec's steps exactly as
// its batch runs them. Every argv comes from the builder the release itself calls, so plan and
// release cannot drift (test/unit/plan-host.test.ts runs a release on the fakes and compares).
// Values a plan cannot know are placeholders (the release id, the image's digest); secrets never
// appear: the env file's content travels through stdin, never on a command line.
import type { Goal } from "../../domain/decide.js";
import type { Colour } from "../../domain/types.js";
import { bakeCheckArgv, inspectBothArgv, stopArgv } from "../../orchestrator/containers.js";
import type { Ctx } from "../../orchestrator/context.js";
import { firstLookArgv } from "../../orchestrator/observe.js";
import type { Settings } from "../../orchestrator/settings.js";
import { pullLeavesDigestOnHost, stageExec } from "../../orchestrator/stage.js";
import { decodeBatch } from "../../remote/batch.js";
import { containerName, docker, LABEL } from "../../remote/docker.js";
import { pullAndDigest } from "../../remote/phases.js";
import { formatArgvForDisplay } from "../../remote/quote.js";

export interface PlannedStep {
  argv: string[];
  /** A failure ends the exec: the steps after it do not run. */
  stop?: true;
  /** The step reads the exec's stdin (the env file's content: never on a command line). */
  stdin?: true;
  /** What a step that is not a plain command does (the remove-if-ours guard). */
  guard?: string;
}

export interface PlannedExec {
  phase: "observe" | "preflight" | "pull" | "stage" | "gate" | "handover" | "bake";
  /** How often each host runs it. */
  when: string;
  /** true: one `sh -c` batch runs the steps in order (src/remote/batch.ts); false: one plain command. */
  batch: boolean;
  steps: PlannedStep[];
}

export interface HostPlanInput {
  settings: Settings;
  /** --image as the release pulls it (imageRefFor). */
  ref: string;
  /** What the release stages (its image is repository@digest, a placeholder in plan). */
  goal: Pick<Goal, "kind" | "colour" | "releaseId" | "image" | "from">;
  /**
   * A webhook release that is not a mode switch (adoption). The first look lists every container
   * (`docker ps --all`) whenever telegram.mode is webhook: whether a release is a mode switch is
   * known only from that reading.
   */
  adoption: boolean;
  /**
   * The colour whose containers the cutover stops (cutover.ts, stopColourContainers): the old
   * poller at a polling release's handover, the other mode's colour in a mode switch. Absent: a
   * webhook release, whose cutover stops no container (the old colour stays warm).
   */
  handover?: Colour;
}

/** The markers in a plan's batches: decoded away, never shown (the release picks a random one per exec). */
const MARKER = "plan";

/** One exec as the plan shows it: a batch's steps (flags kept), or one plain command. */
export function plannedExec(phase: PlannedExec["phase"], when: string, argv: readonly string[]): PlannedExec {
  const decoded = decodeBatch(argv);
  if (decoded === null) return { phase, when, batch: false, steps: [{ argv: [...argv] }] };
  const steps = decoded.steps.map((s) => ({
    argv: [...s.argv],
    ...(s.stop === true ? { stop: true as const } : {}),
    ...(s.stdin === true ? { stdin: true as const } : {}),
  }));
  return { phase, when, batch: true, steps };
}

/** Every exec a release runs on each host, in the order the phases come. */
export function hostExecs(i: HostPlanInput): PlannedExec[] {
  const s = i.settings;
  const base = s.container.name;
  const colour = i.goal.colour;
  const name = containerName(base, colour);
  const guard = docker.removeIfOurs(name, colour);
  const stage = plannedExec(
    "stage",
    "once",
    stageExec({ settings: s } as Ctx, { ...i.goal }, pullLeavesDigestOnHost(s.container.repository, i.ref), MARKER).argv,
  );
  for (const step of stage.steps) {
    if (JSON.stringify(step.argv) === JSON.stringify(guard)) {
      step.guard = `removes ${name} only if its ${LABEL.colour} label is ${colour} (a container bluegreen staged); none there: nothing to do; one without that label: the release stops, touching nothing`;
    }
  }
  // When each runs (#17): the run takes the hosts' containers from its steps' own readings (the
  // first look, staging's last step, the gates' and the bake's inspects); see gateInspects and
  // bakeInspects for when those run.
  return [
    plannedExec("preflight", "once: the run's first look at the host, its containers and the preflight's probe", firstLookArgv(s, MARKER)),
    plannedExec("pull", "once", pullAndDigest(i.ref, MARKER)),
    stage,
    plannedExec(
      "gate",
      "the gate attempt completing gates.healthyThreshold, one whose /health failed, every attempt without /health (a poller)",
      inspectBothArgv(base),
    ),
    ...(i.handover === undefined
      ? []
      : [
          plannedExec(
            "handover",
            `once, at the cutover: whether ${containerName(base, i.handover)} here is ours (its ${LABEL.colour} label)`,
            inspectBothArgv(base),
          ),
          plannedExec(
            "handover",
            "once, right after, where it is ours (none after a first release): stopped gracefully, kept for a rollback",
            stopArgv(s, i.handover),
          ),
        ]),
    plannedExec(
      "bake",
      "the bake's closing check, at least every 5 s, a check whose /health or target failed, every check without /health (a poller)",
      bakeCheckArgv(base, colour, MARKER),
    ),
    plannedExec(
      "observe",
      "when no step's own reading has the containers (after a poller's handover or a mode switch, smoke updates, a dead run repaired)",
      inspectBothArgv(base),
    ),
  ];
}

/** The commands before the new container runs (preflight, pull, stage), step by step: plan's `hostCommands`. */
export function stagingCommands(execs: readonly PlannedExec[]): string[][] {
  const steps = execs.filter((e) => e.phase === "preflight" || e.phase === "pull" || e.phase === "stage").flatMap((e) => e.steps.map((s) => s.argv));
  // Up to the `docker run`: the stage's last step reads the containers after it (the run's observe).
  const run = steps.findIndex((a) => a[0] === "docker" && a[1] === "run");
  return run < 0 ? steps : steps.slice(0, run + 1);
}

/** The text plan's lines for these execs (indented under the stage step). */
export function execLines(execs: readonly PlannedExec[]): string[] {
  return execs.flatMap((e) => [
    `    ${e.phase}, ${e.when}: one exec${e.batch ? ` (a batch of ${e.steps.length} steps in order)` : ""}:`,
    ...e.steps.map(
      (s) =>
        `      ${s.guard !== undefined ? `guard (${s.guard}): ` : ""}${formatArgvForDisplay(s.argv)}${s.stdin === true ? "  [stdin: the env file's content]" : ""}${s.stop === true ? "  [a failure ends the exec]" : ""}`,
    ),
  ]);
}
