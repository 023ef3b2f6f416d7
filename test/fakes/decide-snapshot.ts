// Snapshot builders for decide() tests: goal green (release r2 from blue), two hosts i-1 and i-2.
import type { Goal, Progress, Snapshot } from "../../src/domain/decide.js";
import type { Colour, ContainerFacts, InFlight, ReleaseRef, TrafficFacts } from "../../src/domain/types.js";

export const URLS = { blue: "https://bot.example.com/telegram/blue", green: "https://bot.example.com/telegram/green" };
export const IMAGE = `repo/bot@sha256:${"a".repeat(64)}`;
export const RELEASE: Goal = { kind: "release", colour: "green", releaseId: "r2", image: IMAGE, from: "blue" };
export const ROLLBACK: Goal = { kind: "rollback", colour: "green", releaseId: "r2", image: IMAGE, from: "blue" };
export const URGENT: Goal = { ...ROLLBACK, urgent: true };

export type CState = "missing" | "other" | "this" | "stopped";

export function container(state: CState, colour: Colour = "green"): ContainerFacts | undefined {
  if (state === "missing") return undefined;
  return {
    name: `telegram-bot-${colour}`,
    colour,
    releaseId: state === "other" ? "r1" : "r2",
    image: IMAGE,
    running: state !== "stopped",
    status: state === "stopped" ? "exited" : "running",
    exitCode: state === "stopped" ? 137 : 0,
    oomKilled: false,
    restartCount: 0,
    startedAt: "2026-01-01T00:00:00Z",
    mode: "webhook",
  };
}

export function flight(kind: "release" | "rollback", releaseId: string, phase: InFlight["phase"]): InFlight {
  return { kind, releaseId, colour: "green", image: IMAGE, from: "blue", startedAt: "2026-01-01T00:00:00Z", phase };
}

export const GOAL_REF: ReleaseRef = { colour: "green", releaseId: "r2", image: IMAGE };
export const OLD_REF: ReleaseRef = { colour: "blue", releaseId: "r1", image: `repo/bot@sha256:${"b".repeat(64)}` };

export interface Row {
  goal?: Goal;
  hosts?: [CState, CState];
  registered?: [boolean, boolean];
  /** ALB health of the goal colour's targets; by default a registered, running container is healthy. */
  healthy?: [boolean, boolean];
  weights?: TrafficFacts["weights"];
  foreign?: boolean;
  /** Whether each colour's target group has registered targets (default: blue yes, green when a host is registered). */
  targets?: { blue: boolean; green: boolean };
  webhook?: "goal" | "other" | "" | "goal-mismatch";
  inFlight?: InFlight | null;
  live?: ReleaseRef | null;
  progress?: Progress;
}

export function snapshotOf(r: Row): Snapshot {
  const hosts = r.hosts ?? ["this", "this"];
  const registered = r.registered ?? [true, true];
  const webhook = r.webhook ?? "other";
  return {
    hosts: hosts.map((h, i) => ({
      instanceId: `i-${i + 1}`,
      container: container(h),
      registered: registered[i] ?? false,
      healthy: r.healthy?.[i] ?? ((registered[i] ?? false) && h === "this"),
    })),
    traffic: {
      weights: r.weights ?? { blue: 1, green: 0 },
      foreignTargets: r.foreign ?? false,
      hasTargets: r.targets ?? { blue: true, green: registered.some((x) => x) },
      webhookUrl: webhook === "goal" || webhook === "goal-mismatch" ? URLS.green : webhook === "other" ? URLS.blue : "",
      webhookSettingsMatch: webhook !== "goal-mismatch",
    },
    urls: URLS,
    tags: {
      unmanaged: null,
      live: r.live === undefined ? OLD_REF : r.live,
      previous: null,
      verified: null,
      inFlight: r.inFlight ?? null,
      previousWarmUntil: null,
    },
  };
}
