// `sandbox up --legacy`: production as it stands before bluegreen. On every host one unlabelled
// echo-bot container started with a plain `docker run`, registered in the group the listener
// forwards to (a plain TargetGroupArn), the webhook set by that container itself at start-up, and no
// bluegreen:* tags anywhere. Two shapes: a third, legacy target group (bot-legacy on port 5000), or
// bot-blue itself with an unlabelled echo-bot-blue on 5001.
import { runDocker } from "./runtime/index.js";

export type LegacyShape = "legacy-group" | "blue-group";

export interface LegacyProduction {
  shape: LegacyShape;
  /** The target group the listener forwards to. */
  targetGroup: string;
  containerName: string;
  hostPort: number;
  /** The URL the legacy container registered as its webhook (the ALB's default action serves it). */
  webhookUrl: string;
}

export const LEGACY_GROUP = { name: "bot-legacy", port: 5000 } as const;

export function legacyLayout(shape: LegacyShape, albPort: number): LegacyProduction {
  return shape === "legacy-group"
    ? { shape, targetGroup: LEGACY_GROUP.name, containerName: "telegram-bot", hostPort: LEGACY_GROUP.port, webhookUrl: `http://127.0.0.1:${albPort}/telegram` }
    : { shape, targetGroup: "bot-blue", containerName: "echo-bot-blue", hostPort: 5001, webhookUrl: `http://127.0.0.1:${albPort}/telegram` };
}

export interface LegacyStart {
  layout: LegacyProduction;
  runtimeDir: string;
  hosts: { ip: string; instanceId: string }[];
  awsEndpoint: string;
  targetGroupArn: string;
  telegramUrl: string;
  botToken: string;
  webhookSecret: string;
}

/** RegisterTargets through the emulator's own Query API, as the team's console click once did. */
async function registerLegacyTargets(endpoint: string, targetGroupArn: string, targets: { id: string; port: number }[]): Promise<void> {
  const body = new URLSearchParams({ Action: "RegisterTargets", Version: "2015-12-01", TargetGroupArn: targetGroupArn });
  targets.forEach((t, i) => {
    body.set(`Targets.member.${i + 1}.Id`, t.id);
    body.set(`Targets.member.${i + 1}.Port`, String(t.port));
  });
  const res = await fetch(endpoint, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      authorization: "AWS4-HMAC-SHA256 Credential=test/20260101/ap-southeast-2/elasticloadbalancing/aws4_request",
    },
    body,
    signal: AbortSignal.timeout(10_000),
  });
  if (!res.ok) throw new Error(`RegisterTargets for the legacy production failed: HTTP ${res.status} ${await res.text()}`);
}

/**
 * The team's plain `docker run` of the legacy container: no bluegreen labels, the bot registers its
 * own webhook at start-up. `extraEnv` lets the real-Docker tier pick the variant on a registry image.
 */
export function legacyRunArgv(
  l: LegacyProduction,
  o: { image: string; botToken: string; telegramUrl: string; webhookSecret: string; extraEnv?: readonly string[] },
): string[] {
  return [
    "run",
    "--detach",
    "--name",
    l.containerName,
    "--publish",
    `${l.hostPort}:5000`,
    "--restart",
    "unless-stopped",
    "--env",
    `TELEGRAM_BOT_TOKEN=${o.botToken}`,
    "--env",
    `TELEGRAM_API_BASE=${o.telegramUrl}`,
    "--env",
    `TELEGRAM_WEBHOOK_SECRET=${o.webhookSecret}`,
    "--env",
    `WEBHOOK_URL=${l.webhookUrl}`,
    "--env",
    "BOT_MODE=webhook",
    ...(o.extraEnv ?? []).flatMap((e) => ["--env", e]),
    o.image,
  ];
}

/** The legacy container on every host (the echo bot that registers its own webhook, with a plain docker run), registered in its group. */
export async function startLegacyProduction(s: LegacyStart): Promise<void> {
  const l = s.layout;
  for (const h of s.hosts) {
    const argv = legacyRunArgv(l, { image: "echo-bot:sets-webhook", botToken: s.botToken, telegramUrl: s.telegramUrl, webhookSecret: s.webhookSecret });
    const { code, stderr } = await runDocker(argv, { ...process.env, BLUEGREEN_SANDBOX_STATE: s.runtimeDir, BLUEGREEN_SANDBOX_HOST: h.ip });
    if (code !== 0) throw new Error(`docker ${argv.slice(0, 4).join(" ")} on ${h.ip} exited ${code}: ${stderr.trim()}`);
  }
  await registerLegacyTargets(
    s.awsEndpoint,
    s.targetGroupArn,
    s.hosts.map((h) => ({ id: h.instanceId, port: l.hostPort })),
  );
}
