// Issue #17: `status` reads AWS, Telegram and every host in one concurrent round. Every port call
// is held until nothing new starts; what is in flight then is the round. The hosts' `docker ps`
// for adoption belongs to it (it used to start only after the observe had answered).
import { describe, expect, it } from "vitest";
import type { Ctx } from "../../src/orchestrator/context.js";
import { status } from "../../src/orchestrator/status.js";
import { buildWorld, legacySpec } from "../fakes/adoption-world.js";
import { CallGate, execWords } from "../fakes/call-gate.js";
import { fakeEnvironment, imageOf } from "../fakes/release-world.js";

function gated(ctx: Ctx, gate: CallGate): Ctx {
  return {
    ...ctx,
    lb: gate.wrap(ctx.lb, "aws"),
    telegram: gate.wrap(ctx.telegram, "telegram"),
    hosts: ctx.hosts.map((h) => ({ ...h, remote: gate.wrap(h.remote, h.instanceId, execWords) })),
  };
}

describe("status: one round of calls", () => {
  it("a released environment: the listener, both groups' health, the webhook, each host's containers (inspect and ps) and the lease, all at once; nothing after", async () => {
    const env = fakeEnvironment();
    for (const h of env.hosts) env.runOn(h, "blue", "r1", imageOf("1"));
    env.lb.forward = [{ targetGroupArn: env.groups.blue.arn, weight: 1 }];
    const gate = new CallGate();
    const done = status(gated(env.ctx, gate));
    const round = await gate.settle();
    expect([...round].sort()).toEqual(
      [
        "aws describeListener",
        "aws targetHealth",
        "aws targetHealth",
        "telegram getWebhookInfo",
        "i-1 exec docker inspect",
        "i-1 exec docker ps",
        "i-1 exec sh -c",
        "i-2 exec docker inspect",
        "i-2 exec docker ps",
      ].sort(),
    );
    gate.release();
    const s = await done;
    expect(gate.later()).toEqual([]);
    expect(s.colours.blue.containers.map((c) => c.instanceId)).toEqual(["i-1", "i-2"]);
    expect(s.unmanaged).toBeNull();
  });

  it("a listener forwarding to a group of neither colour (an unmanaged release): that group's health is the one call after the round", async () => {
    const w = buildWorld(legacySpec("legacy-bot"));
    const gate = new CallGate();
    const done = status(gated(w.ctx, gate));
    const round = await gate.settle();
    expect(round.filter((l) => l.includes("docker ps"))).toEqual(["i-1 exec docker ps", "i-2 exec docker ps"]);
    expect(round).toContain("telegram getWebhookInfo");
    gate.release();
    const s = await done;
    expect(gate.later()).toEqual(["aws targetHealth"]);
    expect(s.unmanaged?.role).toBe("live");
    expect(s.unmanaged?.containers.map((c) => `${c.instanceId} ${c.name}`)).toEqual(["i-1 legacy-bot", "i-2 legacy-bot"]);
  });
});
