// A whole environment on the stateful fakes (two hosts, ALB, Telegram, clock) with a Ctx wired to
// them, for tests that drive release()/rollback() end to end without a sandbox.
import type { Colour } from "../../src/domain/types.js";
import type { Ctx } from "../../src/orchestrator/context.js";
import { HostStateStore, hostStatePath } from "../../src/orchestrator/host-state.js";
import type { StepEvent } from "../../src/ports.js";
import { settingsFor } from "./argv-ctx.js";
import { FakeClock, FakeHost, FakeLoadBalancer, FakeTelegram } from "./world.js";

export const REPO = "123456789012.dkr.ecr.ap-southeast-2.amazonaws.com/telegram-bot";
export const imageOf = (n: string): string => `${REPO}@sha256:${n.repeat(64)}`;
export const T0 = Date.parse("2026-01-01T00:00:00.000Z");

export function fakeEnvironment() {
  const settings = settingsFor();
  // settleMs 20: with a 1 ms interval the default 10 s settle window is 10 000 bake checks per release,
  // which made the recovery property test CPU-bound (27 s alone, over its limit on a loaded machine).
  // No test on this world is about the settle window (webhook-verified-last and the guarded world are).
  settings.gates = { ...settings.gates, intervalMs: 1, healthyThreshold: 2, timeoutMs: 1000, bakeMs: 20, settleMs: 20, smokeUpdates: [] };
  settings.webhook.secretToken = "TEST-webhook-secret-bbbbbbbbbbbbbbbb";
  const hosts = [new FakeHost("127.0.1.1", "i-1"), new FakeHost("127.0.1.2", "i-2")];
  const groups = {
    blue: { arn: "arn:tg/bot-blue", name: "bot-blue", port: 5001, protocol: "HTTP", healthCheckPath: "/health" },
    green: { arn: "arn:tg/bot-green", name: "bot-green", port: 5002, protocol: "HTTP", healthCheckPath: "/health" },
  };
  const lb = new FakeLoadBalancer("arn:listener/bot-alb", groups, hosts);
  const telegram = new FakeTelegram();
  const clock = new FakeClock(T0);
  const events: Omit<StepEvent, "type" | "at">[] = [];
  const ctx: Ctx = {
    settings,
    lb,
    telegram,
    clock,
    reporter: { step: (e: Omit<StepEvent, "type" | "at">) => events.push(e) },
    hosts: hosts.map((h) => ({ instanceId: h.instanceId, address: h.name, remote: h })),
    listenerArn: lb.listenerArn,
    targetGroups: groups,
  };
  /** Run a container of ours as `docker run` would have (labels, port). */
  const runOn = (h: FakeHost, colour: Colour, releaseId: string, image: string, running = true): void => {
    h.run(
      `telegram-bot-${colour}`,
      { "bluegreen.environment": "production", "bluegreen.colour": colour, "bluegreen.release": releaseId, "bluegreen.image": image },
      image,
      settings.hostPorts[colour],
    );
    const c = h.containers.get(`telegram-bot-${colour}`);
    if (c !== undefined) c.running = running;
  };
  /** An audit record of an earlier release, on the lock host (the first host by instance id). */
  const recordHistory = (releaseId: string, image: string): void => {
    const lockHost = hosts[0] as FakeHost;
    const line = JSON.stringify({
      at: new Date(T0).toISOString(),
      environment: "production",
      kind: "release",
      outcome: "released",
      releaseId,
      image,
      colour: "blue",
      from: null,
      by: "test",
      durationMs: 1,
    });
    lockHost.files.set(settings.historyFile, `${lockHost.files.get(settings.historyFile) ?? ""}${line}\n`);
  };
  return { ctx, settings, hosts, groups, lb, telegram, clock, events, runOn, recordHistory };
}

/**
 * A polling environment without a load balancer on the same fakes, wired as connectCtx wires one:
 * no host port, no /health, no webhook URLs, and the release state in a file on the lock host
 * (HostStateStore over the first host's exec).
 */
export function fakePollingEnvironment() {
  const env = fakeEnvironment();
  const s = env.settings;
  s.mode = "polling";
  s.hasLoadBalancer = false;
  s.hostPorts = { blue: 0, green: 0 };
  s.targetGroups = { blue: "", green: "" };
  s.container = { ...s.container, port: 0, health: undefined };
  s.webhook = { ...s.webhook, urls: { blue: "", green: "" }, secretToken: undefined };
  const lockHost = env.ctx.hosts[0];
  if (lockHost === undefined) throw new Error("two hosts");
  const store = new HostStateStore(lockHost, hostStatePath(s.container.envFileDir, s.environment));
  const none = { arn: "", name: "", port: 0, protocol: "", healthCheckPath: "" };
  env.ctx.lb = store;
  env.ctx.listenerArn = `host-state:${lockHost.instanceId}:${store.path}`;
  env.ctx.targetGroups = { blue: none, green: none };
  // No ALB here: the fake one and its groups are not part of this world.
  const { lb: _alb, groups: _groups, ...rest } = env;
  return { ...rest, store };
}

/**
 * A bake's starting point: r1 on blue and r2 on green on every host, green registered and the
 * webhook on green (green just took the traffic). `cutoverAt` is now; `baseline` no restarts.
 */
export function greenJustCutOver() {
  const env = fakeEnvironment();
  for (const h of env.hosts) {
    env.runOn(h, "blue", "r1", imageOf("a"));
    env.runOn(h, "green", "r2", imageOf("b"));
  }
  env.lb.registered.set(
    env.groups.green.arn,
    env.hosts.map((h) => ({ id: h.instanceId, port: env.settings.hostPorts.green })),
  );
  env.telegram.info = { url: env.settings.webhook.urls.green, hasCustomCertificate: false, pendingUpdateCount: 0 };
  return { env, cutoverAt: env.clock.now(), baseline: new Map(env.hosts.map((h) => [h.instanceId, 0] as const)) };
}
