// A whole sandbox world for one test file: emulators on ephemeral ports, N hosts, the docker
// stand-in, and an environment YAML pointing at them. `cli()` runs the built bluegreen CLI as a
// real subprocess (as an operator would) and returns its exit code, output and --json events.
import { execFile, execFileSync, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { LegacyShape } from "../../src/sandbox/legacy.js";
import { type SandboxWorld, startSandboxWorld } from "../../src/sandbox/world.js";
import { type SshdHandle, startSshd } from "./sshd.js";
import { HOST_PREFIX } from "./test-net.js";
import { SANDBOX_TIMING } from "./world-timing.js";

export const REPO = resolve(import.meta.dirname, "../..");
export const CLI = join(REPO, "dist/src/cli/main.js");
export const BOT_TOKEN = "7000000002:TEST-bot-token-integration-aaaaaaaaaaaa";
export const WEBHOOK_SECRET = "TEST-webhook-secret-integration";

export interface TestWorld {
  world: SandboxWorld;
  dir: string;
  envFile: string;
  env: NodeJS.ProcessEnv;
  cli(args: string[], opts?: { timeoutMs?: number }): Promise<CliResult>;
  /** Starts the CLI without waiting (for SIGKILL tests); `pid` to kill it. */
  spawnCli(args: string[]): { pid: number; done: Promise<CliResult> };
  stream(ratePerSecond: number, durationMs: number): Promise<string>;
  stopStream(id: string): Promise<void>;
  updates(): Promise<{ updateId: number; acknowledged: boolean; dropped: boolean; attempts: number }[]>;
  stop(): Promise<void>;
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  events: Record<string, unknown>[];
  result: Record<string, unknown> | undefined;
}

export interface WorldOptions {
  hosts?: number;
  gates?: Partial<{
    interval: string;
    healthyThreshold: number;
    timeout: string;
    bake: string;
    maxPendingUpdates: number;
    telegramMisses: number;
    maxMemory: string;
    settle: string;
    bakeEvidence: number;
  }>;
  /** Extra YAML appended under `container:` (indented by 2). */
  memoryLimit?: string;
  /** Extra YAML lines under `gates:` (each indented by 2), e.g. "  alarms: [bot-5xx]\n". */
  gateExtras?: string;
  /** rollout.keepPreviousWarm (default 10m). */
  keepPreviousWarm?: string;
  environment?: string;
  /** AWS region of this world's emulator and environment file (default ap-southeast-2). */
  region?: string;
  /**
   * "ssh": every sandbox host is reached through its own real OpenSSH sshd (same port, one client
   * key, host keys pinned in known_hosts), exactly as on EC2; "local" (default) runs host commands here.
   */
  transport?: "local" | "ssh";
  /** rollout.hostConcurrency (default 4); null leaves it out, so the tool's own default applies. */
  hostConcurrency?: number | null;
  /** Start as a production that runs without bluegreen (src/sandbox/legacy.ts). */
  legacy?: LegacyShape;
  /** One webhook URL for both colours (…/telegram, the listener's default action splits it) instead of …/telegram/{colour}. */
  sharedWebhook?: boolean;
  /** rollout.strategy as flow YAML, e.g. "{ canary: { percent: 20, hold: 3s } }" (default: all-at-once). */
  strategy?: string;
}

export function requireBuild(): void {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` (npm test builds first)`);
}

export function environmentYaml(w: SandboxWorld, dir: string, o: WorldOptions): string {
  const g = {
    interval: "300ms",
    healthyThreshold: 2,
    timeout: "20s",
    bake: "2s",
    maxPendingUpdates: 50,
    telegramMisses: 3,
    maxMemory: "200m",
    settle: "1s",
    bakeEvidence: 3,
    ...o.gates,
  };
  return `environment: ${o.environment ?? "itest"}
aws:
  region: ${o.region ?? "ap-southeast-2"}
  endpoint: ${w.aws.endpoint}
loadBalancer:
  listener: { loadBalancer: bot-alb, port: 80 }
colours:
  blue: { targetGroup: bot-blue, hostPort: 5001 }
  green: { targetGroup: bot-green, hostPort: 5002 }
hosts:
  ec2:
    tags: { app: echo-bot }
  ssh:
    transport: local
container:
  name: echo-bot
  image: echo-bot
  port: 5000
  memoryLimit: ${o.memoryLimit ?? "256m"}
  stopTimeout: 2s
  env:
    TELEGRAM_API_BASE: ${w.telegram.url}
  secrets:
    TELEGRAM_BOT_TOKEN: \${env:ITEST_BOT_TOKEN}
    TELEGRAM_WEBHOOK_SECRET: \${env:ITEST_WEBHOOK_SECRET}
  envFileDir: ${dir}/files
  health: { path: /health, expectStatus: 200, expectJson: { mode: webhook }, timeout: 1s }
telegram:
  botToken: \${env:ITEST_BOT_TOKEN}
  apiBase: ${w.telegram.url}
  webhook:
    url: http://127.0.0.1:${w.albPort}/telegram${o.sharedWebhook === true ? "" : "/{colour}"}
    secretToken: \${env:ITEST_WEBHOOK_SECRET}
gates:
  interval: ${g.interval}
  healthyThreshold: ${g.healthyThreshold}
  timeout: ${g.timeout}
  bake: ${g.bake}
  maxPendingUpdates: ${g.maxPendingUpdates}
  maxMemory: ${g.maxMemory}
  telegramMisses: ${g.telegramMisses}
  settle: ${g.settle}
  bakeEvidence: ${g.bakeEvidence}
${o.gateExtras ?? ""}rollout: { keepPreviousWarm: ${o.keepPreviousWarm ?? "10m"}${o.hostConcurrency === null ? "" : `, hostConcurrency: ${o.hostConcurrency ?? 4}`}${o.strategy !== undefined ? `, strategy: ${o.strategy}` : ""} }
lock: { lease: 1m, dir: ${dir}/lock }
`;
}

function parseResult(code: number, stdout: string, stderr: string): CliResult {
  const events = stdout
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
  return { code, stdout, stderr, events, result: events.filter((e) => e.type === "result").at(-1) };
}

/**
 * Sandbox hosts are loopback addresses 127.<run's net>.1.N (test-net.ts); ports 5001/5002 are per
 * address, so test files running in parallel must not share host numbers: pass a distinct `firstHost`.
 */
export async function startTestWorld(o: WorldOptions & { firstHost?: number } = {}): Promise<TestWorld> {
  requireBuild();
  const dir = await mkdtemp(join(tmpdir(), "bluegreen-itest-"));
  await mkdir(join(dir, "environments"), { recursive: true });
  const world = await startSandboxWorld({
    root: join(dir, "sandbox"),
    hosts: o.hosts ?? 2,
    botToken: BOT_TOKEN,
    hostPrefix: HOST_PREFIX,
    ...SANDBOX_TIMING,
    ...(o.region !== undefined ? { awsRegion: o.region } : {}),
    ...(o.firstHost !== undefined ? { firstHost: o.firstHost } : {}),
    ...(o.legacy !== undefined ? { legacy: o.legacy, webhookSecret: WEBHOOK_SECRET } : {}),
  });
  const name = o.environment ?? "itest";
  const envFile = join(dir, "environments", `${name}.yaml`);
  let yaml = environmentYaml(world, dir, o);
  const sshds: SshdHandle[] = [];
  if (o.transport === "ssh") {
    try {
      const key = join(dir, "id_ed25519");
      execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "", "-f", key]);
      for (const ip of world.hostIps) {
        sshds.push(
          await startSshd({
            listenAddress: ip,
            clientKeyPath: key,
            ...(sshds[0] !== undefined ? { port: sshds[0].port } : {}),
            setEnv: { PATH: `${world.binDir}:/usr/local/bin:/usr/bin:/bin`, BLUEGREEN_SANDBOX_STATE: world.runtimeDir, BLUEGREEN_SANDBOX_HOST: ip },
          }),
        );
      }
      await writeFile(join(dir, "known_hosts"), sshds.map((d) => d.knownHostsText).join(""));
      const first = sshds[0] as SshdHandle;
      yaml = yaml.replace(
        "  ssh:\n    transport: local\n",
        `  ssh:\n    transport: ssh\n    user: ${first.user}\n    port: ${first.port}\n    privateKey: ${key}\n    knownHosts: ${join(dir, "known_hosts")}\n    connectTimeout: 5s\n`,
      );
    } catch (e) {
      await Promise.allSettled(sshds.map((d) => d.stop()));
      await world.stop();
      throw e;
    }
  }
  await writeFile(envFile, yaml);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ITEST_BOT_TOKEN: BOT_TOKEN,
    ITEST_WEBHOOK_SECRET: WEBHOOK_SECRET,
    PATH: `${world.binDir}:${process.env.PATH ?? ""}`,
    BLUEGREEN_SANDBOX_STATE: world.runtimeDir,
    NO_COLOR: "1",
  };
  const control = async (path: string, init?: RequestInit) => {
    const res = await fetch(`${world.telegram.url}/_control/${path}`, init);
    return (await res.json()) as unknown;
  };
  const spawnCli = (args: string[]) => {
    const child = spawn(process.execPath, [CLI, ...args, "--config-dir", dir], { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    const done = new Promise<CliResult>((res) => child.on("close", (code) => res(parseResult(code ?? -1, stdout, stderr))));
    return { pid: child.pid ?? -1, done };
  };
  return {
    world,
    dir,
    envFile,
    env,
    cli: (args, opts) =>
      new Promise((res) => {
        execFile(
          process.execPath,
          [CLI, ...args, "--config-dir", dir],
          { env, timeout: opts?.timeoutMs ?? 90_000, maxBuffer: 16 * 2 ** 20 },
          (err, stdout, stderr) => {
            const code = err === null ? 0 : typeof err.code === "number" ? err.code : -1;
            res(parseResult(code, stdout, stderr));
          },
        );
      }),
    spawnCli,
    stream: async (rate, durationMs) =>
      (
        (await control("streams", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ token: BOT_TOKEN, ratePerSecond: rate, durationMs, chatIds: [1, 2, 3, 4, 5] }),
        })) as { streamId: string }
      ).streamId,
    stopStream: async (id) => {
      await control(`streams/${id}`, { method: "DELETE" });
    },
    updates: async () =>
      (await control(`updates?token=${encodeURIComponent(BOT_TOKEN)}`)) as { updateId: number; acknowledged: boolean; dropped: boolean; attempts: number }[],
    stop: async () => {
      await Promise.allSettled(sshds.map((d) => d.stop()));
      await world.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Waits (deadline-bounded) until every injected update was acknowledged; returns the lost ones.
 * It returns as soon as none is missing, so the deadline only bounds a real loss: generous, since
 * on a loaded machine the backlog of a release's stream takes tens of seconds to drain.
 */
export async function lostUpdates(t: TestWorld, deadlineMs = 60_000): Promise<number[]> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const u = await t.updates();
    const lost = u.filter((x) => !x.acknowledged).map((x) => x.updateId);
    if (lost.length === 0 || Date.now() > end) return lost;
    await new Promise((r) => setTimeout(r, 200));
  }
}
