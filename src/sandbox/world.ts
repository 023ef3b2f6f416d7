// The whole sandbox in one call: AWS emulator (ALB + EC2, seeded with bot-alb, bot-blue, bot-green
// and N hosts), Telegram emulator with the sandbox bot, the docker stand-in and its registry.
// Used by `bluegreen sandbox up`, the demo, the integration tests and the benchmarks.
import { mkdir } from "node:fs/promises";
import pRetry from "p-retry";
import { type AwsEmulator, startAwsEmulator } from "./aws/index.js";
import { LEGACY_GROUP, type LegacyProduction, type LegacyShape, legacyLayout, startLegacyProduction } from "./legacy.js";
import { SANDBOX_BOT_TOKEN, SANDBOX_CANARY_BOT_TOKEN, SANDBOX_POLLING_BOT_TOKEN, SANDBOX_WEBHOOK_SECRET } from "./paths.js";
import { initSandboxRegistry, killAllContainers, writeDockerShim } from "./runtime/index.js";
import { startTelegramEmulator, type TelegramEmulator } from "./telegram/index.js";

export interface SandboxWorldOptions {
  /** Folder for runtime state and the docker shim (bin/, runtime/). */
  root: string;
  /** canaryAlb: also seed local-canary's own load balancer (canary-alb) with its data plane on this port. */
  ports?: { aws?: number; telegram?: number; alb?: number; canaryAlb?: number };
  hosts?: number;
  /** Host addresses are 127.0.1.<firstHost..>: parallel worlds must not share them (ports 5001/5002 are per address). */
  firstHost?: number;
  /** The first three octets of the host addresses (default "127.0.1"): concurrent test runs on one machine take different ones. */
  hostPrefix?: string;
  botToken?: string;
  /** Multiplies the emulators' health-check intervals and Telegram's retry schedule. */
  awsTimeScale?: number;
  /** The emulated AWS region (default ap-southeast-2): a second world in another region has ARNs of its own. */
  awsRegion?: string;
  telegramTimeScale?: number;
  /** Per webhook POST (default: Telegram's ~10 s times telegramTimeScale, at least 200 ms). */
  telegramDeliveryTimeoutMs?: number;
  /**
   * Production as it stands before bluegreen (sandbox up --legacy): see legacy.ts. With `hosts: 0`
   * only the listener and groups are seeded that way: the caller runs the legacy containers on its
   * own hosts (the real-Docker tier), registers them (registerLegacyTargets) and awaits the webhook.
   */
  legacy?: LegacyShape;
  /** The secret the legacy container registers its webhook with (the environment's telegram.webhook.secretToken). */
  webhookSecret?: string;
}

export interface SandboxWorld {
  aws: AwsEmulator;
  telegram: TelegramEmulator;
  albPort: number;
  listenerArn: string;
  hostIps: string[];
  binDir: string;
  runtimeDir: string;
  botToken: string;
  /** Set when the world started as a legacy production. */
  legacy?: LegacyProduction;
  stop(): Promise<void>;
}

export const hostIp = (n: number, prefix = "127.0.1"): string => `${prefix}.${n}`;

export async function startSandboxWorld(o: SandboxWorldOptions): Promise<SandboxWorld> {
  const binDir = `${o.root}/bin`;
  const runtimeDir = `${o.root}/runtime`;
  await mkdir(runtimeDir, { recursive: true });
  await writeDockerShim(binDir, { stateRoot: runtimeDir });
  await initSandboxRegistry(runtimeDir);
  const botToken = o.botToken ?? SANDBOX_BOT_TOKEN;
  const telegram = await startTelegramEmulator({
    port: o.ports?.telegram ?? 0,
    mode: "local",
    timeScale: o.telegramTimeScale ?? 0.1,
    ...(o.telegramDeliveryTimeoutMs !== undefined ? { deliveryTimeoutMs: o.telegramDeliveryTimeoutMs } : {}),
    // local-polling and local-canary have bots of their own (sandbox/paths.ts), as any two environments must.
    bots: [
      { token: botToken, username: "echo_sandbox_bot" },
      { token: SANDBOX_POLLING_BOT_TOKEN, username: "echo_polling_sandbox_bot" },
      { token: SANDBOX_CANARY_BOT_TOKEN, username: "echo_canary_sandbox_bot" },
    ]
      .filter((b, i, all) => all.findIndex((x) => x.token === b.token) === i)
      .map((b) => ({ ...b, id: Number(b.token.split(":")[0]) })),
  });
  let aws: AwsEmulator | undefined;
  try {
    aws = await startAwsEmulator({
      ...(o.awsRegion !== undefined ? { region: o.awsRegion } : {}),
      port: o.ports?.aws ?? 0,
      timeScale: o.awsTimeScale ?? 0.2,
      listenerPorts: { 80: o.ports?.alb ?? 0 },
    });
    const seed = await aws.control.seed({
      name: "bot-alb",
      listenerPort: 80,
      ...(o.ports?.alb !== undefined ? { dataPlanePort: o.ports.alb } : {}),
      targetGroups: [
        { name: "bot-blue", port: 5001, healthCheckPath: "/health" },
        { name: "bot-green", port: 5002, healthCheckPath: "/health" },
        ...(o.legacy === "legacy-group" ? [{ name: LEGACY_GROUP.name, port: LEGACY_GROUP.port, healthCheckPath: "/health" }] : []),
      ],
      colourRules: [
        { pathPattern: "/telegram/blue*", targetGroup: "bot-blue", priority: 10 },
        { pathPattern: "/telegram/green*", targetGroup: "bot-green", priority: 20 },
      ],
      defaultTargetGroup: o.legacy === "legacy-group" ? LEGACY_GROUP.name : "bot-blue",
    });
    // local-canary's own load balancer: one listener whose default action the canary steps weight
    // between its own two target groups (one webhook URL), so it never moves local's traffic.
    if (o.ports?.canaryAlb !== undefined) {
      await aws.control.seed({
        name: "canary-alb",
        listenerPort: 80,
        dataPlanePort: o.ports.canaryAlb,
        targetGroups: [
          { name: "canary-blue", port: 5003, healthCheckPath: "/health" },
          { name: "canary-green", port: 5004, healthCheckPath: "/health" },
        ],
        colourRules: [],
        defaultTargetGroup: "canary-blue",
      });
    }
    const hostIps = Array.from({ length: o.hosts ?? 2 }, (_, i) => hostIp(i + (o.firstHost ?? 1), o.hostPrefix));
    const hosts = hostIps.map((ip) => ({
      ip,
      instanceId: (aws as AwsEmulator).control.addInstance({ tags: { app: "echo-bot", Name: `echo-bot-${ip}` }, privateIp: ip }).instanceId,
    }));
    let legacy: LegacyProduction | undefined;
    if (o.legacy !== undefined) legacy = legacyLayout(o.legacy, seed.dataPlanePort);
    if (legacy !== undefined && hosts.length > 0) {
      const targetGroupArn = seed.targetGroups[legacy.targetGroup];
      if (targetGroupArn === undefined) throw new Error(`the seed has no target group ${legacy.targetGroup}`);
      await startLegacyProduction({
        layout: legacy,
        runtimeDir,
        hosts,
        awsEndpoint: aws.endpoint,
        targetGroupArn,
        telegramUrl: telegram.url,
        botToken,
        webhookSecret: o.webhookSecret ?? SANDBOX_WEBHOOK_SECRET,
      });
      await waitForWebhook(telegram.url, botToken, legacy.webhookUrl);
    }
    const a = aws;
    return {
      aws: a,
      telegram,
      albPort: seed.dataPlanePort,
      listenerArn: seed.listenerArn,
      hostIps,
      binDir,
      runtimeDir,
      botToken,
      ...(legacy !== undefined ? { legacy } : {}),
      stop: async () => {
        await killAllContainers(runtimeDir).catch(() => 0);
        await Promise.allSettled([a.stop(), telegram.stop()]);
      },
    };
  } catch (e) {
    await killAllContainers(runtimeDir).catch(() => 0);
    await Promise.allSettled([aws?.stop(), telegram.stop()]);
    throw e;
  }
}

/** The legacy container registers its own webhook once it listens: the world is ready when Telegram reports that URL. */
export async function waitForWebhook(telegramUrl: string, botToken: string, url: string): Promise<void> {
  await pRetry(
    async () => {
      const res = await fetch(`${telegramUrl}/bot${botToken}/getWebhookInfo`, { signal: AbortSignal.timeout(5_000) });
      const info = (await res.json()) as { result?: { url?: string } };
      if (info.result?.url !== url) throw new Error(`the legacy container did not set its webhook to ${url} (Telegram reports ${info.result?.url || "none"})`);
    },
    { retries: 200, factor: 1, minTimeout: 100, maxTimeout: 100, maxRetryTime: 20_000 },
  );
}
