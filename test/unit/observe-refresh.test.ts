// Observe once per step with the facts the step needs (#17): after a step the loop re-reads only
// what that step may have moved, and keeps the rest from the observe before.
import { describe, expect, it } from "vitest";
import type { ContainerFacts } from "../../src/domain/types.js";
import { cutoverStopsContainers, observe, refreshAfter, registered, withForward, withHosts } from "../../src/orchestrator/observe.js";
import { observeAdoption } from "../../src/orchestrator/unmanaged.js";
import type { ListenerKnown } from "../../src/ports.js";
import { fakeEnvironment } from "../fakes/release-world.js";

/** Counts the port calls observe makes, on the stateful fakes (no module mocks). */
function counting() {
  const env = fakeEnvironment();
  const calls = { describeListener: 0, targetHealth: [] as string[], getWebhookInfo: 0, hostExec: 0 };
  /** What each describeListener was told it need not read again. */
  const known: (ListenerKnown | undefined)[] = [];
  const lb = env.ctx.lb;
  const describeListener = lb.describeListener.bind(lb);
  const targetHealth = lb.targetHealth.bind(lb);
  lb.describeListener = (arn, k) => {
    calls.describeListener += 1;
    known.push(k);
    return describeListener(arn, k);
  };
  lb.targetHealth = (arn) => {
    calls.targetHealth.push(arn);
    return targetHealth(arn);
  };
  const tg = env.ctx.telegram;
  const getWebhookInfo = tg.getWebhookInfo.bind(tg);
  tg.getWebhookInfo = () => {
    calls.getWebhookInfo += 1;
    return getWebhookInfo();
  };
  for (const h of env.ctx.hosts) {
    const exec = h.remote.exec.bind(h.remote);
    h.remote.exec = (argv, opts) => {
      calls.hostExec += 1;
      return exec(argv, opts);
    };
  }
  const reset = () => {
    calls.describeListener = 0;
    calls.targetHealth = [];
    calls.getWebhookInfo = 0;
    calls.hostExec = 0;
    known.length = 0;
  };
  return { ...env, calls, known, reset };
}

describe("refreshAfter: what each step may have moved", () => {
  const none = { listener: false, tags: false, rules: false, webhook: false, hosts: false, health: [] };
  it.each([
    ["mark-staging", { ...none, tags: true }],
    ["mark-cutover", { ...none, listener: true, tags: true, webhook: true }],
    ["finalize", { ...none, tags: true }],
    ["reference", { ...none, listener: true, tags: true }],
    ["stage", { ...none, hosts: true }],
    ["start", { ...none, hosts: true, health: ["green"] }],
    ["register", none],
    ["gates", { ...none, hosts: true }],
    ["cutover", { ...none, listener: true, tags: true, hosts: true }],
    ["bake", { ...none, hosts: true }],
  ])("%s", (step, expected) => {
    expect(refreshAfter(step, "green")).toEqual(expected);
  });

  // #17: what the step itself read (stage's batch, the gates' passing attempt, the bake's closing
  // check) or did (a cutover that stopped no container) spares the hosts' exec; nothing else changes.
  it.each([
    ["stage", { hostsRead: true }, none],
    ["stage", { hostsRead: false }, { ...none, hosts: true }],
    ["gates", { hostsRead: true }, none],
    ["gates", { hostsRead: false }, { ...none, hosts: true }],
    // A resumed run whose cutover was marked before its gates: no mark-cutover read follows, so the
    // webhook a bot may have moved after the gates' last look is read here.
    ["gates", { hostsRead: true, cutoverMarked: true }, { ...none, webhook: true }],
    ["gates", { hostsRead: true, cutoverMarked: false }, none],
    ["bake", { hostsRead: true }, none],
    ["bake", { hostsRead: false }, { ...none, hosts: true }],
    ["cutover", { rereadHosts: false }, { ...none, listener: true, tags: true }],
    ["cutover", { rereadHosts: true }, { ...none, listener: true, tags: true, hosts: true }],
    ["cutover", { rereadHosts: false, hostsRead: true }, { ...none, listener: true, tags: true }],
    // ModifyListener answered with the listener after the move: that answer is the read-back (#17).
    ["cutover", { rereadHosts: false, listenerAnswered: true }, { ...none, tags: true }],
    ["cutover", { rereadHosts: true, listenerAnswered: true }, { ...none, tags: true, hosts: true }],
    ["start", { hostsRead: true }, { ...none, hosts: true, health: ["green"] }],
    ["mark-cutover", { hostsRead: false }, { ...none, listener: true, tags: true, webhook: true }],
    ["register", { rereadHosts: true }, none],
  ] as const)("%s with %o", (step, facts, expected) => {
    expect(refreshAfter(step, "green", facts)).toEqual(expected);
  });

  it.each([
    [{ mode: "webhook" as const }, false],
    [{}, false],
    [{ mode: "polling" as const }, true],
    [{ mode: "webhook" as const, switchFrom: "polling" as const }, true],
    [{ mode: "polling" as const, switchFrom: "webhook" as const }, true],
  ])("cutoverStopsContainers(%o) = %s", (goal, stops) => {
    expect(cutoverStopsContainers(goal)).toBe(stops);
  });

  it.each(["handover", "some-step-added-later"])("%s (and any step it does not know) re-reads everything", (step) => {
    expect(refreshAfter(step, "blue")).toEqual({ listener: true, tags: true, rules: true, webhook: true, hosts: true, health: ["blue", "green"] });
  });
});

describe("observe with a previous world", () => {
  it("the first observe reads every fact once: listener, webhook, both groups, every host", async () => {
    const w = counting();
    await observe(w.ctx);
    expect(w.calls).toEqual({ describeListener: 1, targetHealth: ["arn:tg/bot-blue", "arn:tg/bot-green"], getWebhookInfo: 1, hostExec: 2 });
  });

  it("a release's first observe (probe): one exec per host reads its containers and the preflight's probe; adoption then reads nothing more", async () => {
    const w = counting();
    const world = await observe(w.ctx, undefined, undefined, { probe: true });
    expect(w.calls).toEqual({ describeListener: 1, targetHealth: ["arn:tg/bot-blue", "arn:tg/bot-green"], getWebhookInfo: 1, hostExec: 2 });
    expect([...(world.probe?.keys() ?? [])]).toEqual(w.ctx.hosts.map((h) => h.instanceId));
    for (const p of world.probe?.values() ?? []) expect(p.version.code).toBe(0);
    expect(world.hosts).toEqual((await observe(w.ctx)).hosts);
    w.reset();
    const adoption = await observeAdoption(w.ctx, world, { engine: true });
    expect(w.calls.hostExec).toBe(0);
    expect([...(adoption.engines?.keys() ?? [])]).toEqual(w.ctx.hosts.map((h) => h.instanceId));
    // A world read again has no probe: adoption probes itself.
    const again = await observe(w.ctx, world, refreshAfter("stage", "green"));
    expect(again.probe).toBeUndefined();
  });

  it("after register: nothing is read; the targets our write registered are in the world (initial until checked)", async () => {
    const w = counting();
    const before = await observe(w.ctx);
    w.reset();
    await w.ctx.lb.registerTargets("arn:tg/bot-green", [{ id: "i-1", port: 5002 }]);
    const after = await observe(w.ctx, registered(before, "green", [{ id: "i-1", port: 5002 }]), refreshAfter("register", "green"));
    expect(w.calls).toEqual({ describeListener: 0, targetHealth: [], getWebhookInfo: 0, hostExec: 0 });
    expect(after.health.green).toContainEqual({ id: "i-1", port: 5002, state: "initial" });
    expect(after.traffic.hasTargets.green).toBe(true);
    expect(after.health.blue).toBe(before.health.blue);
    expect(after.listener).toBe(before.listener);
    expect(after.hosts).toBe(before.hosts);
    expect(after.webhook).toEqual(before.webhook);
  });

  it("registered: a draining target registered again is registered (initial), others are kept as they are", () => {
    const base = {
      health: {
        blue: [],
        green: [
          { id: "i-1", port: 5002, state: "draining" as const },
          { id: "i-2", port: 5002, state: "healthy" as const },
        ],
      },
      traffic: { weights: {}, foreignTargets: false, hasTargets: { blue: false, green: false }, webhookUrl: "", webhookSettingsMatch: true },
    } as unknown as Parameters<typeof registered>[0];
    const after = registered(base, "green", [
      { id: "i-1", port: 5002 },
      { id: "i-2", port: 5002 },
    ]);
    expect(after.health.green).toEqual([
      { id: "i-2", port: 5002, state: "healthy" },
      { id: "i-1", port: 5002, state: "initial" },
    ]);
    expect(after.traffic.hasTargets).toEqual({ blue: false, green: true });
  });

  it("after mark: the tags are read through the adapter, told the default action and rules it need not read again", async () => {
    const w = counting();
    const before = await observe(w.ctx);
    w.reset();
    await w.ctx.lb.setTags(w.ctx.listenerArn, { "bluegreen:environment": "production" });
    const after = await observe(w.ctx, before, refreshAfter("mark-staging", "green"));
    expect(w.calls).toEqual({ describeListener: 1, targetHealth: [], getWebhookInfo: 0, hostExec: 0 });
    expect(w.known).toEqual([{ forward: before.listener.forward, ...(before.listener.rules !== undefined ? { rules: before.listener.rules } : {}) }]);
    expect(after.listener.tags["bluegreen:environment"]).toBe("production");
    expect(after.traffic).toEqual(before.traffic);
  });

  it("after the cutover: the default action is read back, the rules are the run's first reading", async () => {
    const w = counting();
    const before = await observe(w.ctx);
    w.reset();
    await observe(w.ctx, before, refreshAfter("cutover", "green"));
    expect(w.calls.describeListener).toBe(1);
    expect(w.known[0]?.forward).toBeUndefined();
  });

  it("after a cutover whose ModifyListener answered: the adapter is told that answer as the default action (no read-back call), and the traffic follows it", async () => {
    const w = counting();
    const before = await observe(w.ctx);
    w.reset();
    const answered = await w.ctx.lb.setForward(w.ctx.listenerArn, [
      { targetGroupArn: w.ctx.targetGroups.green.arn, weight: 1 },
      { targetGroupArn: w.ctx.targetGroups.blue.arn, weight: 0 },
    ]);
    const after = await observe(w.ctx, withForward(before, answered), refreshAfter("cutover", "green", { rereadHosts: false, listenerAnswered: true }));
    expect(w.known).toEqual([{ forward: answered, ...(before.listener.rules !== undefined ? { rules: before.listener.rules } : {}) }]);
    expect(after.listener.forward).toEqual(answered);
    expect(after.traffic.weights).toEqual({ green: 1, blue: 0 });
  });

  it("after the gates: the webhook is the passing attempt's reading (ctx.lastWebhook), the hosts are read without its inspect, not the target health", async () => {
    const w = counting();
    const before = await observe(w.ctx);
    w.reset();
    w.ctx.lastWebhook = { ...before.webhook, url: "https://bot.example.com/moved-by-the-bot" };
    const after = await observe(w.ctx, before, refreshAfter("gates", "blue"));
    expect(w.calls).toEqual({ describeListener: 0, targetHealth: [], getWebhookInfo: 0, hostExec: 2 });
    expect(after.webhook.url).toBe("https://bot.example.com/moved-by-the-bot");
    expect(after.traffic.webhookUrl).toBe("https://bot.example.com/moved-by-the-bot");
  });

  it("after the gates with their reading of every host: nothing is read; the world holds that reading", async () => {
    const w = counting();
    const before = await observe(w.ctx);
    w.reset();
    const seen = new Map(before.hosts.map((h) => [h.instanceId, {}] as const));
    const own = withHosts(before, seen);
    expect(own.hostsRead).toBe(true);
    const after = await observe(w.ctx, own.world, refreshAfter("gates", "blue", { hostsRead: own.hostsRead }));
    expect(w.calls).toEqual({ describeListener: 0, targetHealth: [], getWebhookInfo: 0, hostExec: 0 });
    expect(after.hosts.map((h) => h.containers)).toEqual(before.hosts.map(() => ({})));
  });

  it("after the bake: the webhook is the bake's own last reading (ctx.lastWebhook), not read again", async () => {
    const w = counting();
    const before = await observe(w.ctx);
    w.reset();
    w.ctx.lastWebhook = { ...before.webhook, pendingUpdateCount: 7 };
    const after = await observe(w.ctx, before, refreshAfter("bake", "blue"));
    expect(w.calls).toEqual({ describeListener: 0, targetHealth: [], getWebhookInfo: 0, hostExec: 2 });
    expect(after.webhook.pendingUpdateCount).toBe(7);
  });
});

describe("withHosts: the world with the containers a step read itself", () => {
  const world = {
    hosts: [
      { instanceId: "i-1", address: "10.0.0.1", containers: {} },
      { instanceId: "i-2", address: "10.0.0.2", containers: {} },
    ],
  } as unknown as Parameters<typeof withHosts>[0];
  const green = { name: "bot-green", colour: "green", running: true, restartCount: 0 } as unknown as NonNullable<ContainerFacts>;

  it("no reading: the world as it was, the hosts to be read", () => {
    expect(withHosts(world, undefined)).toEqual({ world, hostsRead: false });
    expect(withHosts(world, new Map())).toEqual({ world, hostsRead: false });
  });

  it("a reading of some hosts: those replaced, the hosts still to be read (the others were not looked at)", () => {
    const r = withHosts(world, new Map([["i-1", { green }]]));
    expect(r.hostsRead).toBe(false);
    expect(r.world.hosts).toEqual([
      { instanceId: "i-1", address: "10.0.0.1", containers: { green } },
      { instanceId: "i-2", address: "10.0.0.2", containers: {} },
    ]);
  });

  it("a reading of every host: all replaced, nothing to read", () => {
    const r = withHosts(
      world,
      new Map([
        ["i-1", { green }],
        ["i-2", {}],
      ]),
    );
    expect(r.hostsRead).toBe(true);
    expect(r.world.hosts[0]?.containers).toEqual({ green });
    expect(world.hosts[0]?.containers).toEqual({});
  });
});
