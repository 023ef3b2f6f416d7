// Observe once per step with the facts the step needs (#17): after a step the loop re-reads only
// what that step may have moved, and keeps the rest from the observe before.
import { describe, expect, it } from "vitest";
import { observe, refreshAfter } from "../../src/orchestrator/observe.js";
import { fakeEnvironment } from "../fakes/release-world.js";

/** Counts the port calls observe makes, on the stateful fakes (no module mocks). */
function counting() {
  const env = fakeEnvironment();
  const calls = { describeListener: 0, targetHealth: [] as string[], getWebhookInfo: 0, hostExec: 0 };
  const lb = env.ctx.lb;
  const describeListener = lb.describeListener.bind(lb);
  const targetHealth = lb.targetHealth.bind(lb);
  lb.describeListener = (arn) => {
    calls.describeListener += 1;
    return describeListener(arn);
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
  };
  return { ...env, calls, reset };
}

describe("refreshAfter: what each step may have moved", () => {
  const none = { listener: false, webhook: false, hosts: false, health: [] };
  it.each([
    ["mark-staging", { ...none, listener: true }],
    ["mark-cutover", { ...none, listener: true, webhook: true }],
    ["finalize", { ...none, listener: true }],
    ["reference", { ...none, listener: true }],
    ["stage", { ...none, hosts: true, health: ["green"] }],
    ["start", { ...none, hosts: true, health: ["green"] }],
    ["register", { ...none, health: ["green"] }],
    ["gates", { ...none, webhook: true, hosts: true, health: ["green"] }],
    ["cutover", { ...none, listener: true, webhook: true, hosts: true }],
  ])("%s", (step, expected) => {
    expect(refreshAfter(step, "green")).toEqual(expected);
  });

  it.each(["bake", "handover", "some-step-added-later"])("%s (and any step it does not know) re-reads everything", (step) => {
    expect(refreshAfter(step, "blue")).toEqual({ listener: true, webhook: true, hosts: true, health: ["blue", "green"] });
  });
});

describe("observe with a previous world", () => {
  it("the first observe reads every fact once: listener, webhook, both groups, every host", async () => {
    const w = counting();
    await observe(w.ctx);
    expect(w.calls).toEqual({ describeListener: 1, targetHealth: ["arn:tg/bot-blue", "arn:tg/bot-green"], getWebhookInfo: 1, hostExec: 2 });
  });

  it("after register: only the goal colour's target health is read; the rest is the previous observe's", async () => {
    const w = counting();
    const before = await observe(w.ctx);
    w.reset();
    await w.ctx.lb.registerTargets("arn:tg/bot-green", [{ id: "i-1", port: 5002 }]);
    const after = await observe(w.ctx, before, refreshAfter("register", "green"));
    expect(w.calls).toEqual({ describeListener: 0, targetHealth: ["arn:tg/bot-green"], getWebhookInfo: 0, hostExec: 0 });
    expect(after.health.green.map((t) => t.id)).toContain("i-1");
    expect(after.health.blue).toBe(before.health.blue);
    expect(after.listener).toBe(before.listener);
    expect(after.hosts).toBe(before.hosts);
    expect(after.webhook).toBe(before.webhook);
  });

  it("after mark: the listener (its tags) is read again, and the traffic facts are recomputed from it", async () => {
    const w = counting();
    const before = await observe(w.ctx);
    w.reset();
    await w.ctx.lb.setTags(w.ctx.listenerArn, { "bluegreen:environment": "production" });
    const after = await observe(w.ctx, before, refreshAfter("mark-staging", "green"));
    expect(w.calls).toEqual({ describeListener: 1, targetHealth: [], getWebhookInfo: 0, hostExec: 0 });
    expect(after.listener.tags["bluegreen:environment"]).toBe("production");
    expect(after.traffic).toEqual(before.traffic);
  });

  it("after the gates: the new containers, their group and the webhook (a start-up call to it) are read again", async () => {
    const w = counting();
    const before = await observe(w.ctx);
    w.reset();
    await w.ctx.telegram.setWebhook({ url: "https://bot.example.com/moved-by-the-bot" });
    const after = await observe(w.ctx, before, refreshAfter("gates", "blue"));
    expect(w.calls).toEqual({ describeListener: 0, targetHealth: ["arn:tg/bot-blue"], getWebhookInfo: 1, hostExec: 2 });
    expect(after.webhook.url).toBe("https://bot.example.com/moved-by-the-bot");
    expect(after.traffic.webhookUrl).toBe("https://bot.example.com/moved-by-the-bot");
  });
});
