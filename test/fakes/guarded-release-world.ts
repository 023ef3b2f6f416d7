// A whole environment on the stateful fakes, connected the way the CLI connects (connectCtx, so
// the port guard is in place): two hosts, blue live with r1 on both switches, nothing in flight.
// Tests break one port call or give the bots a shutdown habit, then run release/rollback/status.
import { encodeRef } from "../../src/domain/tags.js";
import { connectCtx } from "../../src/orchestrator/connect.js";
import type { Ctx } from "../../src/orchestrator/context.js";
import type { StepEvent } from "../../src/ports.js";
import { settingsFor } from "./argv-ctx.js";
import { FakeClock, FakeHost, FakeLoadBalancer, FakeTelegram } from "./world.js";

export const REPO = "123456789012.dkr.ecr.ap-southeast-2.amazonaws.com/telegram-bot";
export const IMG1 = `${REPO}@sha256:${"1".repeat(64)}`;
export const IMG0 = `${REPO}@sha256:${"0".repeat(64)}`;
export const T0 = Date.parse("2026-01-01T00:00:00.000Z");

export interface ReleaseWorld {
  ctx: Ctx;
  hosts: FakeHost[];
  lb: FakeLoadBalancer;
  telegram: FakeTelegram;
  clock: FakeClock;
  events: Omit<StepEvent, "type" | "at">[];
}

const labels = (colour: string, releaseId: string, image: string) => ({
  "bluegreen.environment": "production",
  "bluegreen.colour": colour,
  "bluegreen.release": releaseId,
  "bluegreen.image": image,
});

/** `warmGreen`: green still runs r0 as the previous release, its warm window over. */
export async function releaseWorld(o: { warmGreen?: boolean } = {}): Promise<ReleaseWorld> {
  const settings = settingsFor();
  settings.gates = { ...settings.gates, intervalMs: 50, healthyThreshold: 2, timeoutMs: 1_000, bakeMs: 20_000, settleMs: 5_000, smokeUpdates: [] };
  const hosts = [new FakeHost("127.0.1.1", "i-1"), new FakeHost("127.0.1.2", "i-2")];
  const groups = {
    blue: { arn: "arn:tg/bot-blue", name: "bot-blue", port: 5001, protocol: "HTTP", healthCheckPath: "/health" },
    green: { arn: "arn:tg/bot-green", name: "bot-green", port: 5002, protocol: "HTTP", healthCheckPath: "/health" },
  };
  const lb = new FakeLoadBalancer("arn:listener/bot-alb", groups, hosts);
  const telegram = new FakeTelegram();
  const clock = new FakeClock(T0);
  for (const h of hosts) {
    h.run("telegram-bot-blue", labels("blue", "r1", IMG1), IMG1, 5001);
    if (o.warmGreen === true) h.run("telegram-bot-green", labels("green", "r0", IMG0), IMG0, 5002);
  }
  await lb.registerTargets(
    groups.blue.arn,
    hosts.map((h) => ({ id: h.instanceId, port: 5001 })),
  );
  lb.forward = [
    { targetGroupArn: groups.blue.arn, weight: 1 },
    { targetGroupArn: groups.green.arn, weight: 0 },
  ];
  lb.tags = {
    ...encodeRef("live", { colour: "blue", releaseId: "r1", image: IMG1 }),
    ...(o.warmGreen === true
      ? { ...encodeRef("previous", { colour: "green", releaseId: "r0", image: IMG0 }), "bluegreen:previous-warm-until": new Date(T0 - 60_000).toISOString() }
      : {}),
    "bluegreen:verified": "r1",
  };
  await telegram.setWebhook({ url: settings.webhook.urls.blue, maxConnections: 40 });
  const events: Omit<StepEvent, "type" | "at">[] = [];
  const ctx = await connectCtx(
    settings,
    {
      lb,
      telegram,
      instances: { list: async () => hosts.map((h) => ({ instanceId: h.instanceId, state: "running", privateIp: h.name, status: "ok" })) },
      connector: { connect: async (t) => hosts.find((h) => h.instanceId === t.instanceId) as FakeHost },
    },
    clock,
    { step: (e) => events.push(e) },
    { addressType: "private", requireHealthyInstances: true },
  );
  return { ctx, hosts, lb, telegram, clock, events };
}

/** The bot's aiogram-style shutdown hook: deleteWebhook on SIGTERM, for containers of `colour`. */
export function deletesWebhookOnStop(w: ReleaseWorld, colour: "blue" | "green"): void {
  for (const h of w.hosts) {
    h.onStop = async (c) => {
      if (c.labels["bluegreen.colour"] === colour) await w.telegram.deleteWebhook();
    };
  }
}
