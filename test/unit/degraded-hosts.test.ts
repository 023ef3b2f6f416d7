// Issue #18 case 4 and issue #12 item 3: degraded, not blind. Only running instances are hosts
// (stopped or terminated ones are a note, never a reason to refuse); with a host unreachable, a
// warm rollback still runs when the ALB reports the previous colour healthy (exit 3 if the
// unreachable host serves it unverified), status reports what it can and exits 3, history reads
// from the lock host or says why it cannot, and release still refuses in preflight.
import { describe, expect, it } from "vitest";
import { exitCodeOf } from "../../src/cli/exit-codes.js";
import { encodeRef } from "../../src/domain/tags.js";
import { PreflightError, RollbackFailedError } from "../../src/errors.js";
import { connectCtx, type Ports } from "../../src/orchestrator/connect.js";
import type { Ctx } from "../../src/orchestrator/context.js";
import { readAudit } from "../../src/orchestrator/history.js";
import { rollback } from "../../src/orchestrator/rollback.js";
import { status } from "../../src/orchestrator/status.js";
import type { InstanceView } from "../../src/ports.js";
import { fakeEnvironment, imageOf } from "../fakes/release-world.js";

/** Green r2 live, blue r1 warm on both hosts; `down` hosts refuse SSH; `stopped` adds a stopped tagged instance. */
async function world(opts: { down?: string[]; blueOnDown?: "running" | "stopped"; stopped?: boolean; tolerate?: boolean; requireHealthy?: boolean }) {
  const env = fakeEnvironment();
  const { hosts, lb, groups, telegram, settings, runOn } = env;
  for (const h of hosts) {
    runOn(h, "green", "r2", imageOf("2"));
    runOn(h, "blue", "r1", imageOf("1"), !(opts.down?.includes(h.instanceId) && opts.blueOnDown === "stopped"));
  }
  await lb.registerTargets(
    groups.green.arn,
    hosts.map((h) => ({ id: h.instanceId, port: 5002 })),
  );
  await lb.registerTargets(
    groups.blue.arn,
    hosts.map((h) => ({ id: h.instanceId, port: 5001 })),
  );
  lb.forward = [
    { targetGroupArn: groups.green.arn, weight: 1 },
    { targetGroupArn: groups.blue.arn, weight: 0 },
  ];
  lb.tags = {
    ...encodeRef("live", { colour: "green", releaseId: "r2", image: imageOf("2") }),
    ...encodeRef("previous", { colour: "blue", releaseId: "r1", image: imageOf("1") }),
    "bluegreen:verified": "r2",
  };
  await telegram.setWebhook({ url: settings.webhook.urls.green, maxConnections: 40 });
  env.recordHistory("r1", imageOf("1"));
  env.recordHistory("r2", imageOf("2"));
  const list: InstanceView[] = hosts.map((h) => ({ instanceId: h.instanceId, state: "running", privateIp: h.name, status: "ok" }));
  if (opts.stopped === true)
    list.push(
      { instanceId: "i-0stopped", state: "stopped", status: "instance unknown, system unknown" },
      { instanceId: "i-9gone", state: "terminated", status: "x" },
    );
  const listed: ({ statusChecks?: boolean } | undefined)[] = [];
  const ports: Ports = {
    lb,
    telegram,
    instances: {
      list: async (o) => {
        listed.push(o);
        return list;
      },
    },
    connector: {
      connect: async (t) => {
        if (opts.down?.includes(t.instanceId)) throw new Error(`connect ETIMEDOUT ${t.address}:22`);
        const h = hosts.find((x) => x.instanceId === t.instanceId);
        if (h === undefined) throw new Error(`no such host ${t.instanceId}`);
        return h;
      },
    },
  };
  const ctx: Ctx = await connectCtx(settings, ports, env.clock, env.ctx.reporter, {
    addressType: "private",
    requireHealthyInstances: opts.requireHealthy ?? false,
    tolerateUnreachable: opts.tolerate ?? true,
  });
  return { ...env, ctx, listed };
}

describe("hosts as they are: running instances only", () => {
  it("stopped and terminated instances carrying the tags are a note, not hosts, and do not refuse a release's connect", async () => {
    const w = await world({ stopped: true, requireHealthy: true, tolerate: false });
    expect(w.ctx.hosts.map((h) => h.instanceId)).toEqual(["i-1", "i-2"]);
    expect(w.events.filter((e) => e.step === "hosts").map((e) => e.message)).toEqual([
      "ignoring i-0stopped: it is stopped, not running",
      "ignoring i-9gone: it is terminated, not running",
    ]);
  });

  it("only a connect that requires healthy instances asks for their status checks (status and rollback skip that call)", async () => {
    expect((await world({ requireHealthy: true, tolerate: false })).listed).toEqual([{ statusChecks: true }]);
    expect((await world({})).listed).toEqual([{ statusChecks: false }]);
  });

  it("release still refuses an unreachable host in preflight (exit 1)", async () => {
    const e = await world({ down: ["i-2"], tolerate: false }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(PreflightError);
    expect(exitCodeOf(e)).toBe(1);
    expect(String((e as Error).message)).toContain("i-2 (127.0.1.2): connect ETIMEDOUT");
  });
});

describe("one host unreachable", () => {
  it("a warm rollback proceeds on the ALB's word, then exits 3 because the unreachable host serves blue unverified", async () => {
    const w = await world({ down: ["i-2"] });
    const e = await rollback(w.ctx, { lockWaitMs: 0, runId: "x" }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(RollbackFailedError);
    expect(exitCodeOf(e)).toBe(3);
    expect(String((e as Error).message)).toMatch(
      /r1 is live again on blue \(warm: instant\); unreachable, not checked: i-2, but i-2 \(127\.0\.1\.2\) could not be reached/,
    );
    expect(w.lb.forward[0]).toEqual({ targetGroupArn: w.groups.blue.arn, weight: 1 });
    expect(w.telegram.info.url).toBe(w.settings.webhook.urls.blue);
    expect(w.lb.tags["bluegreen:live-release"]).toBe("r1");
  });

  it("when the unreachable host does not serve blue, the warm rollback succeeds and lists it", async () => {
    const w = await world({ down: ["i-2"], blueOnDown: "stopped" });
    const r = await rollback(w.ctx, { lockWaitMs: 0, runId: "x" });
    expect(r.mode).toBe("warm");
    expect(r.message).toBe("r1 is live again on blue (warm: instant); unreachable, not checked: i-2");
  });

  it("with the lock host unreachable, rollback locks on the first reachable host and says so", async () => {
    const w = await world({ down: ["i-1"], blueOnDown: "stopped" });
    const r = await rollback(w.ctx, { lockWaitMs: 0, runId: "x" });
    expect(r.mode).toBe("warm");
    expect(w.events.find((e) => e.step === "lock")?.message).toMatch(
      /live on i-1 \(127\.0\.1\.1\), which is unreachable.*taking the lock on i-2 for this rollback/,
    );
  });

  it("status reports the listener, the webhook and the reachable host, marks the unreachable one, and is not consistent (exit 3)", async () => {
    const w = await world({ down: ["i-2"] });
    const s = await status(w.ctx);
    expect(s.liveByListener).toBe("green");
    expect(s.webhook.url).toBe(w.settings.webhook.urls.green);
    expect(s.colours.green.containers.map((c) => c.instanceId)).toEqual(["i-1"]);
    expect(s.unreachable).toEqual([{ instanceId: "i-2", address: "127.0.1.2", reason: "connect ETIMEDOUT 127.0.1.2:22" }]);
    expect(s.consistent).toBe(false);
    expect(s.problems).toContain("i-2 (127.0.1.2) is unreachable, so its containers are unknown: connect ETIMEDOUT 127.0.1.2:22");
  });

  it("history reads from a reachable lock host, and refuses (exit 1) rather than saying 'no releases' when the lock host is down", async () => {
    expect((await readAudit((await world({ down: ["i-2"] })).ctx)).map((r) => r.releaseId)).toEqual(["r2", "r1"]);
    const e = await readAudit((await world({ down: ["i-1"] })).ctx).catch((x: unknown) => x);
    expect(exitCodeOf(e)).toBe(1);
    expect(String((e as Error).message)).toContain("the lock and the history live on i-1 (127.0.1.1), which is unreachable");
  });
});
