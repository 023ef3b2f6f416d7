// Production before bluegreen on real Docker engines: the team's plain `docker run` of the bot
// (no labels; it sets its own webhook at start-up) on each of an environment's hosts, registered in
// the group the listener forwards to with a plain TargetGroupArn. Plus what the adoption tests read
// from the emulators (never through the CLI under test): groups receiving traffic, the webhook, the
// update stream and the updates not acknowledged.
import { ElasticLoadBalancingV2Client, RegisterTargetsCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import { type LegacyProduction, legacyRunArgv } from "../../src/sandbox/legacy.js";
import { type SandboxWorld, waitForWebhook } from "../../src/sandbox/world.js";
import type { E2eHost } from "./e2e-hosts.js";

export interface LegacyEnv {
  sandbox: SandboxWorld;
  region: string;
  hosts: E2eHost[];
  botToken: string;
  webhookSecret: string;
  /** Bot API base as the containers see it. */
  containerApiBase: string;
  /** The registry's v1 image: the legacy container runs it as the sets-webhook variant. */
  image: string;
}

export function layoutOf(e: LegacyEnv): LegacyProduction {
  const l = e.sandbox.legacy;
  if (l === undefined) throw new Error("the environment was not seeded as a legacy production");
  return l;
}

/** Starts the legacy container on every host, registers it, and waits for the webhook it sets itself. */
export async function startLegacyContainers(e: LegacyEnv): Promise<void> {
  const l = layoutOf(e);
  for (const h of e.hosts)
    h.docker(
      legacyRunArgv(l, {
        image: e.image,
        botToken: e.botToken,
        telegramUrl: e.containerApiBase,
        webhookSecret: e.webhookSecret,
        extraEnv: ["BOT_VARIANT=sets-webhook"],
      }),
      { timeoutMs: 120_000 },
    );
  const state = e.sandbox.aws.control.state();
  const group = state.targetGroups.find((g) => g.name === l.targetGroup);
  if (group === undefined) throw new Error(`no target group ${l.targetGroup}`);
  const ids = e.hosts.map((h) => {
    const i = state.instances.find((x) => x.privateIp === h.address);
    if (i === undefined) throw new Error(`no instance at ${h.address}`);
    return i.instanceId;
  });
  const client = new ElasticLoadBalancingV2Client({
    endpoint: e.sandbox.aws.endpoint,
    region: e.region,
    credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "test-secret" },
  });
  try {
    await client.send(new RegisterTargetsCommand({ TargetGroupArn: group.arn, Targets: ids.map((Id) => ({ Id, Port: l.hostPort })) }));
  } finally {
    client.destroy();
  }
  await waitForWebhook(e.sandbox.telegram.url, e.botToken, l.webhookUrl);
}

/** Target group names the listener's default action sends traffic to (weight > 0). */
export function receivingGroups(s: SandboxWorld): string[] {
  const state = s.aws.control.state();
  const action = state.listeners.find((l) => l.arn === s.listenerArn)?.defaultActions[0];
  if (action === undefined || action.type !== "forward") return [];
  return action.targetGroups.filter((g) => g.weight > 0).map((g) => state.targetGroups.find((t) => t.arn === g.targetGroupArn)?.name ?? g.targetGroupArn);
}

export async function webhookOf(s: SandboxWorld, token: string): Promise<string> {
  const res = await fetch(`${s.telegram.url}/bot${token}/getWebhookInfo`, { signal: AbortSignal.timeout(5_000) });
  return ((await res.json()) as { result: { url: string } }).result.url;
}

async function control(s: SandboxWorld, path: string, init?: RequestInit): Promise<unknown> {
  return (await fetch(`${s.telegram.url}/_control/${path}`, { ...init, signal: AbortSignal.timeout(10_000) })).json();
}

/**
 * Runs `body` under a steady stream of updates (5/s: two environments stream side by side on a
 * 2-core machine; Telegram delivers one by one, so more would pile up as pending updates and fail
 * the bake's own limit for load alone), then waits (bounded) for every update to be acknowledged; returns the ones that were not. */
export async function underStream<T>(e: LegacyEnv, body: () => Promise<T>, ratePerSecond = 5): Promise<{ value: T; lost: number[] }> {
  const { streamId } = (await control(e.sandbox, "streams", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ token: e.botToken, ratePerSecond, durationMs: 240_000, chatIds: [1, 2, 3] }),
  })) as { streamId: string };
  let value: T;
  try {
    value = await body();
  } finally {
    await control(e.sandbox, `streams/${streamId}`, { method: "DELETE" });
  }
  const end = Date.now() + 60_000;
  for (;;) {
    const u = (await control(e.sandbox, `updates?token=${encodeURIComponent(e.botToken)}`)) as { updateId: number; acknowledged: boolean }[];
    const lost = u.filter((x) => !x.acknowledged).map((x) => x.updateId);
    if (lost.length === 0 || Date.now() > end) return { value, lost };
    await new Promise((r) => setTimeout(r, 250));
  }
}
