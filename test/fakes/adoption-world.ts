// Worlds as users really start: production already runs, maybe without bluegreen. A listener of any
// form (plain TargetGroupArn, one group, weights, a legacy group), containers labelled or not on any
// port, targets registered or not, tags present or absent. Built on the stateful fakes in world.ts.
import { encodeInFlight, encodeRef } from "../../src/domain/tags.js";
import type { Colour } from "../../src/domain/types.js";
import type { Ctx } from "../../src/orchestrator/context.js";
import type { ForwardTarget, StepEvent, TargetGroupView } from "../../src/ports.js";
import { settingsFor } from "./argv-ctx.js";
import { FakeClock, FakeHost, FakeLoadBalancer, FakeTelegram } from "./world.js";

export const IMG1 = `123456789012.dkr.ecr.ap-southeast-2.amazonaws.com/telegram-bot@sha256:${"1".repeat(64)}`;
export const LEGACY_URL = "https://bot.example.com/legacy-hook";
export const GROUPS: Record<Colour, TargetGroupView> = {
  blue: {
    arn: "arn:aws:elasticloadbalancing:ap-southeast-2:123456789012:targetgroup/bot-blue/1",
    name: "bot-blue",
    port: 5001,
    protocol: "HTTP",
    healthCheckPath: "/health",
  },
  green: {
    arn: "arn:aws:elasticloadbalancing:ap-southeast-2:123456789012:targetgroup/bot-green/2",
    name: "bot-green",
    port: 5002,
    protocol: "HTTP",
    healthCheckPath: "/health",
  },
};
export const LEGACY: TargetGroupView = {
  arn: "arn:aws:elasticloadbalancing:ap-southeast-2:123456789012:targetgroup/bot-legacy/3",
  name: "bot-legacy",
  port: 5000,
  protocol: "HTTP",
  healthCheckPath: "/health",
};
export type GroupKey = Colour | "legacy";
export const arnOf = (g: GroupKey): string => (g === "legacy" ? LEGACY.arn : GROUPS[g].arn);

export interface ContainerSpec {
  name: string;
  /** null: started with a plain `docker run` (no bluegreen labels). */
  colour: Colour | null;
  hostPort: number;
  running: boolean;
}

export interface WorldSpec {
  forward: { group: GroupKey; weight: number }[];
  /** Per host (i-1, i-2): its containers. */
  containers: [ContainerSpec[], ContainerSpec[]];
  /** Registered targets per group: [instance index, port]. */
  registered: Partial<Record<GroupKey, [number, number][]>>;
  /** The colour bluegreen's tags record as live (r1), or null (no bluegreen tags). */
  tagsLive: Colour | null;
  /** A dead earlier run's in-flight tags (release r0 to this colour, from the tagged live colour). */
  deadRun?: { colour: Colour; phase: "staging" | "cutover" | "baking" } | null;
  webhook: "" | "legacy" | Colour;
  /** Unrelated tags already on the listener (other teams' cost tags). */
  otherTags?: number;
}

/** Production before bluegreen: an unlabelled `name` on port 5000 on both hosts, in the legacy group the listener forwards to, the webhook its own. */
export function legacySpec(name: string): WorldSpec {
  const bot = (): ContainerSpec[] => [{ name, colour: null, hostPort: 5000, running: true }];
  return {
    forward: [{ group: "legacy", weight: 1 }],
    containers: [bot(), bot()],
    registered: {
      legacy: [
        [0, 5000],
        [1, 5000],
      ],
    },
    tagsLive: null,
    webhook: "legacy",
  };
}

export interface FakeWorld {
  ctx: Ctx;
  hosts: FakeHost[];
  lb: FakeLoadBalancer;
  telegram: FakeTelegram;
  events: Omit<StepEvent, "type" | "at">[];
}

export function buildWorld(spec: WorldSpec): FakeWorld {
  const settings = settingsFor();
  // settleMs 20: with a 1 ms interval the default 10 s settle window would be 10 000 checks per release.
  settings.gates = { ...settings.gates, intervalMs: 1, healthyThreshold: 1, timeoutMs: 200, bakeMs: 20, settleMs: 20, smokeUpdates: [] };
  settings.webhook.secretToken = "TEST-webhook-secret-bbbbbbbbbbbbbbbb";
  const hosts = [new FakeHost("127.0.1.1", "i-1"), new FakeHost("127.0.1.2", "i-2")];
  const lb = new FakeLoadBalancer("arn:aws:elasticloadbalancing:ap-southeast-2:123456789012:listener/app/bot-alb/1/1", GROUPS, hosts, [LEGACY]);
  spec.containers.forEach((list, i) => {
    const h = hosts[i] as FakeHost;
    for (const c of list) {
      const labels: Record<string, string> =
        c.colour === null ? {} : { "bluegreen.environment": "production", "bluegreen.colour": c.colour, "bluegreen.release": "r1", "bluegreen.image": IMG1 };
      h.run(c.name, labels, c.colour === null ? "legacy/bot:latest" : IMG1, c.hostPort);
      const made = h.containers.get(c.name);
      if (made !== undefined) made.running = c.running;
    }
  });
  for (const [g, targets] of Object.entries(spec.registered) as [GroupKey, [number, number][]][]) {
    void lb.registerTargets(
      arnOf(g),
      targets.map(([i, port]) => ({ id: `i-${i + 1}`, port })),
    );
  }
  lb.forward = spec.forward.map((f) => ({ targetGroupArn: arnOf(f.group), weight: f.weight }));
  if (spec.tagsLive !== null)
    Object.assign(lb.tags, encodeRef("live", { colour: spec.tagsLive, releaseId: "r1", image: IMG1 }), { "bluegreen:verified": "r1" });
  if (spec.deadRun != null) {
    Object.assign(
      lb.tags,
      encodeInFlight({
        kind: "release",
        releaseId: "r0",
        colour: spec.deadRun.colour,
        image: IMG1,
        from: spec.tagsLive,
        startedAt: "2026-01-01T00:00:00.000Z",
        phase: spec.deadRun.phase,
      }),
    );
  }
  for (let i = 0; i < (spec.otherTags ?? 0); i++) lb.tags[`team:cost-${i}`] = "x";
  const telegram = new FakeTelegram();
  const url = spec.webhook === "" ? "" : spec.webhook === "legacy" ? LEGACY_URL : settings.webhook.urls[spec.webhook];
  if (url !== "") void telegram.setWebhook({ url, maxConnections: 40 });
  const events: FakeWorld["events"] = [];
  const ctx: Ctx = {
    settings,
    lb,
    telegram,
    clock: new FakeClock(Date.parse("2026-01-01T00:00:00.000Z")),
    reporter: { step: (e) => events.push(e) },
    hosts: hosts.map((h) => ({ instanceId: h.instanceId, address: h.name, remote: h })),
    listenerArn: lb.listenerArn,
    targetGroups: GROUPS,
  };
  return { ctx, hosts, lb, telegram, events };
}

/** Containers that serve traffic now: running, publishing a port registered in a group the listener sends to (weight > 0). */
export function servingContainers(w: FakeWorld): Set<string> {
  const receiving = new Set(w.lb.forward.filter((f) => f.weight > 0).map((f) => f.targetGroupArn));
  // Path rules route each colour's own webhook URL to its group.
  for (const c of ["blue", "green"] as const) if (w.telegram.info.url === w.ctx.settings.webhook.urls[c]) receiving.add(GROUPS[c].arn);
  const out = new Set<string>();
  for (const arn of receiving) {
    for (const t of w.lb.registered.get(arn) ?? []) {
      const h = w.hosts.find((x) => x.instanceId === t.id);
      for (const c of h?.containers.values() ?? []) if (c.running && c.hostPort === t.port) out.add(`${t.id}/${c.name}`);
    }
  }
  return out;
}

/** Every container-changing command a run sent, as "i-1/name verb". */
export function containerChanges(w: FakeWorld): string[] {
  return w.hosts.flatMap((h) =>
    h.log.flatMap((argv) => {
      const [prog, cmd] = argv;
      if (prog !== "docker" || !["rm", "stop", "kill", "restart"].includes(cmd ?? "")) return [];
      return [`${h.instanceId}/${argv[argv.length - 1]} ${cmd}`];
    }),
  );
}

export type { ForwardTarget };

/**
 * Both hosts run blue and green (ours); blue is recorded live; the listener and the webhook are on
 * `on`; `deadRun`, when given, is a green run recorded in flight in that phase.
 */
export const inFlightWorld = (deadRun: { colour: "green"; phase: "staging" | "cutover" | "baking" } | null, on: "blue" | "green"): FakeWorld =>
  buildWorld({
    forward: [
      { group: "blue", weight: on === "blue" ? 1 : 0 },
      { group: "green", weight: on === "green" ? 1 : 0 },
    ],
    containers: [
      [
        { name: "telegram-bot-blue", colour: "blue", hostPort: 5001, running: true },
        { name: "telegram-bot-green", colour: "green", hostPort: 5002, running: true },
      ],
      [
        { name: "telegram-bot-blue", colour: "blue", hostPort: 5001, running: true },
        { name: "telegram-bot-green", colour: "green", hostPort: 5002, running: true },
      ],
    ],
    registered: {
      blue: [
        [0, 5001],
        [1, 5001],
      ],
    },
    tagsLive: "blue",
    deadRun,
    webhook: on,
  });
