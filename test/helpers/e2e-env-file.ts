// The pieces an e2e environment file needs: its YAML (real SSH transport, the registry's image,
// absolute host paths under hostFs), ALB probes tolerant enough for a real engine under load, and a
// TCP forwarder so containers in the namespaces reach a loopback-only emulator.
import { connect, createServer, type Server, type Socket } from "node:net";
import { ElasticLoadBalancingV2Client, ModifyTargetGroupCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import type { LegacyShape } from "../../src/sandbox/legacy.js";
import type { SandboxWorld } from "../../src/sandbox/world.js";
import { freePortOn, type Registry } from "./e2e-images.js";

export interface E2eOptions {
  hosts?: number;
  environment?: string;
  memoryLimit?: string;
  restartPolicy?: string;
  gates?: Partial<{ interval: string; healthyThreshold: number; timeout: string; bake: string; maxMemory: string }>;
  /** Which hosts are this environment's EC2 instances (default: all); the others are left for addEnvironment. */
  envHosts?: number[];
  /** AWS region of the environment's emulator (default ap-southeast-2). */
  region?: string;
  /** Seed the listener as production before bluegreen (see e2e-legacy.ts for the containers). */
  legacy?: LegacyShape;
}

/** What an environment file needs from its world: one sandbox (ALB + Telegram) and the hosts it owns. */
export interface EnvParts {
  sandbox: SandboxWorld;
  registry: Registry;
  knownHostsFile: string;
  containerApiBase: string;
  hostFs: string;
  privateKey: string;
  /** EC2 tag value app=<tag> that selects the environment's instances. */
  tag: string;
  /** Prefix of the ${env:...} secret references (E2E -> E2E_BOT_TOKEN, E2E_WEBHOOK_SECRET). */
  secretPrefix: string;
}

/** TCP forwarder listen -> 127.0.0.1:targetPort, so containers in the namespaces reach a loopback-only emulator. */
export async function forwarder(host: string, targetPort: number): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((inbound) => {
    const outbound = connect({ host: "127.0.0.1", port: targetPort });
    for (const s of [inbound, outbound]) {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
      s.on("error", () => {
        inbound.destroy();
        outbound.destroy();
      });
    }
    inbound.pipe(outbound).pipe(inbound);
  });
  const port = await freePortOn(host);
  await new Promise<void>((res, rej) => {
    server.once("error", rej);
    server.listen(port, host, () => res());
  });
  return {
    server,
    port,
    close: () =>
      new Promise<void>((res) => {
        for (const s of sockets) s.destroy();
        server.close(() => res());
      }),
  };
}

export function environmentYaml(w: EnvParts, o: E2eOptions): string {
  const { tag, privateKey, secretPrefix: P } = w;
  const g = { interval: "500ms", healthyThreshold: 2, timeout: "60s", bake: "3s", maxMemory: o.memoryLimit ?? "256m", ...o.gates };
  return `environment: ${o.environment ?? "e2e"}
aws:
  region: ${o.region ?? "ap-southeast-2"}
  endpoint: ${w.sandbox.aws.endpoint}
loadBalancer:
  listener: { loadBalancer: bot-alb, port: 80 }
colours:
  blue: { targetGroup: bot-blue, hostPort: 5001 }
  green: { targetGroup: bot-green, hostPort: 5002 }
hosts:
  ec2:
    tags: { app: ${tag} }
  ssh:
    transport: ssh
    user: root
    port: 22
    privateKey: ${privateKey}
    knownHosts: ${w.knownHostsFile}
    connectTimeout: 5s
container:
  name: echo-bot
  image: ${w.registry.address}/echo-bot
  port: 5000
  memoryLimit: ${o.memoryLimit ?? "256m"}
  restartPolicy: ${o.restartPolicy ?? "unless-stopped"}
  stopTimeout: 2s
  env:
    TELEGRAM_API_BASE: ${w.containerApiBase}
  secrets:
    TELEGRAM_BOT_TOKEN: \${env:${P}_BOT_TOKEN}
    TELEGRAM_WEBHOOK_SECRET: \${env:${P}_WEBHOOK_SECRET}
  envFileDir: ${w.hostFs}/var/lib/bluegreen
  health: { path: /health, expectStatus: 200, expectJson: { mode: webhook }, timeout: 2s }
telegram:
  botToken: \${env:${P}_BOT_TOKEN}
  apiBase: ${w.sandbox.telegram.url}
  webhook:
    url: http://127.0.0.1:${w.sandbox.albPort}/telegram/{colour}
    secretToken: \${env:${P}_WEBHOOK_SECRET}
gates:
  interval: ${g.interval}
  healthyThreshold: ${g.healthyThreshold}
  timeout: ${g.timeout}
  bake: ${g.bake}
  maxPendingUpdates: 100
  maxMemory: ${g.maxMemory}
  telegramMisses: 3
rollout: { keepPreviousWarm: 10m, hostConcurrency: 4 }
lock: { lease: 2m, dir: ${w.hostFs}/var/lock/bluegreen }
`;
}

/**
 * The sandbox's ALB probes (2 s timeout, 2 misses, x time scale 0.05 = 100 ms) are too tight for a
 * real engine's docker-proxy on a loaded 2-core box: a healthy bot would fail its bake. Time scale
 * 0.2 with interval 5 s, timeout 4 s, 3 misses = a probe a second, 800 ms each. Set through the
 * ELBv2 API, as an operator would.
 */
export async function tolerantHealthChecks(sandbox: SandboxWorld, region = "ap-southeast-2"): Promise<void> {
  sandbox.aws.control.setTimeScale(0.2);
  const client = new ElasticLoadBalancingV2Client({
    endpoint: sandbox.aws.endpoint,
    region,
    credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "test-secret" },
  });
  try {
    for (const g of sandbox.aws.control.state().targetGroups) {
      await client.send(
        new ModifyTargetGroupCommand({ TargetGroupArn: g.arn, HealthCheckIntervalSeconds: 5, HealthCheckTimeoutSeconds: 4, UnhealthyThresholdCount: 3 }),
      );
    }
  } finally {
    client.destroy();
  }
}
