// A container that crashed and was restarted between two gate attempts answers /health again, but
// the ALB saw its probes fail: the target is unhealthy, so no attempt completes the threshold and
// the threshold's inspect never runs (#17 inspects only where it can change the verdict). The
// gates must still fail at once with the restart as the reason, not wait out gates.timeout.
import { describe, expect, it } from "vitest";
import { GateFailedError } from "../../src/errors.js";
import type { Ctx } from "../../src/orchestrator/context.js";
import { waitForGates } from "../../src/orchestrator/gates.js";
import type { TargetGroupView, WebhookInfo } from "../../src/ports.js";
import { LABEL } from "../../src/remote/docker.js";
import { ctxFor, GOAL } from "../fakes/argv-ctx.js";
import { FakeHost, FakeLoadBalancer, FakeTelegram } from "../fakes/world.js";

const BEFORE: WebhookInfo = { url: "https://bot.example.com/telegram/blue", hasCustomCertificate: false, pendingUpdateCount: 0 };
const group = (colour: string): TargetGroupView => ({ arn: `arn:tg/${colour}`, name: `bot-${colour}`, port: 80, protocol: "HTTP", healthCheckPath: "/health" });

function world(restartCount: number): { ctx: Ctx; host: FakeHost } {
  const base = ctxFor();
  const host = new FakeHost("h1", "i-1");
  host.run("telegram-bot-green", { [LABEL.colour]: "green", [LABEL.release]: GOAL.releaseId, [LABEL.environment]: "production" }, GOAL.image, 5002);
  const c = host.containers.get("telegram-bot-green");
  if (c !== undefined) c.restartCount = restartCount;
  const groups = { blue: group("blue"), green: group("green") };
  const lb = new FakeLoadBalancer("arn:listener", groups, [host]);
  lb.registered.set(groups.green.arn, [{ id: "i-1", port: 5002 }]);
  // The ALB saw the crash: its probes failed, whatever /health answers now.
  lb.targetHealth = async () => [{ id: "i-1", port: 5002, state: "unhealthy" }];
  const telegram = new FakeTelegram();
  telegram.info = { ...BEFORE };
  const ctx: Ctx = {
    ...base,
    lb,
    telegram,
    clock: { now: () => Date.now(), sleep: (ms) => new Promise((r) => setTimeout(r, ms)) },
    reporter: { step: () => undefined } as unknown as Ctx["reporter"],
    hosts: [{ instanceId: "i-1", address: "10.0.0.1", remote: host }],
    targetGroups: groups,
    settings: { ...base.settings, gates: { ...base.settings.gates, timeoutMs: 1500, intervalMs: 20, healthyThreshold: 2 } },
  };
  return { ctx, host };
}

describe("gates: an unhealthy target while /health answers", () => {
  it("inspects the host and fails with the restart, before the deadline", async () => {
    const { ctx, host } = world(1);
    const e = await waitForGates(ctx, GOAL, BEFORE, "blue").catch((x: unknown) => x);
    expect(e).toBeInstanceOf(GateFailedError);
    const message = (e as GateFailedError).message;
    expect(message).toMatch(/restarted 1 time/);
    expect(message).not.toContain("did not pass its gates within");
    expect(host.log.some((argv) => argv[0] === "docker" && argv[1] === "inspect")).toBe(true);
  });

  it("a container that did not restart keeps waiting (the unhealthy target is the reason at the deadline)", async () => {
    const { ctx } = world(0);
    const e = await waitForGates(ctx, GOAL, BEFORE, "blue").catch((x: unknown) => x);
    expect(e).toBeInstanceOf(GateFailedError);
    const message = (e as GateFailedError).message;
    expect(message).toContain("did not pass its gates within");
    expect(message).toContain("unhealthy");
  });
});
