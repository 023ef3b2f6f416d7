// One end-to-end world per test file: N namespace hosts with real sshd + dockerd, a local registry
// with the echo-bot images, the AWS emulator (instances at the hosts' addresses, so the ALB data
// plane and health checks reach the published ports) and the Telegram emulator, whose Bot API the
// containers reach through a forwarder on the bridge. `cli()` runs the built CLI as an operator would.
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { type SandboxWorld, startSandboxWorld } from "../../src/sandbox/world.js";
import { type E2eOptions, type EnvParts, environmentYaml, forwarder, tolerantHealthChecks } from "./e2e-env-file.js";
import { type E2eHosts, knownHostsFor, startE2eHosts } from "./e2e-hosts.js";
import { buildAndPushImages, type Registry, startRegistry } from "./e2e-images.js";
import { BOT_TOKEN, CLI, type CliResult, requireBuild, WEBHOOK_SECRET } from "./sandbox-env.js";
import { SANDBOX_TIMING } from "./world-timing.js";

export type { E2eOptions } from "./e2e-env-file.js";

export interface E2eWorld {
  net: E2eHosts;
  registry: Registry;
  sandbox: SandboxWorld;
  dir: string;
  envFile: string;
  knownHostsFile: string;
  /** Bot API base as the containers see it (forwarded to the emulator on 127.0.0.1). */
  containerApiBase: string;
  cli(args: string[], opts?: { timeoutMs?: number }): Promise<CliResult>;
  /** A webhook update stream from the Telegram emulator; returns its id. */
  stream(ratePerSecond: number, durationMs: number): Promise<string>;
  stopStream(id: string): Promise<void>;
  /** Waits (deadline-bounded) until every injected update is acknowledged; returns the update ids that were not. */
  lostUpdates(deadlineMs?: number): Promise<number[]>;
  /** The environment `cli()` runs with (add variables for extra environments here). */
  env: NodeJS.ProcessEnv;
  /** Registers a clean-up that stop() runs first. */
  onStop(fn: () => Promise<void>): void;
  stop(): Promise<void>;
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

export async function startE2eWorld(o: E2eOptions = {}): Promise<E2eWorld> {
  requireBuild();
  const cleanups: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
  };
  try {
    const dir = await mkdtemp(join(tmpdir(), "bge2e-env-"));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    let registry: Registry | undefined;
    const net = await startE2eHosts(o.hosts ?? 2, async (gateway) => {
      const r = await startRegistry(gateway, () => undefined);
      registry = r;
      cleanups.push(() => r.stop());
      return Number(registry.address.split(":")[1]);
    });
    cleanups.push(() => net.stop());
    net.slot.recordDir(dir);
    if (registry === undefined) throw new Error("registry did not start");
    const reg = registry;
    net.slot.recordPid(reg.pid);
    net.slot.recordDir(dirname(reg.storage));
    const first = net.hosts[0];
    if (first === undefined) throw new Error("no hosts");
    buildAndPushImages(first, reg);

    const sandbox = await startSandboxWorld({
      root: join(dir, "sandbox"),
      hosts: 0,
      botToken: BOT_TOKEN,
      ...SANDBOX_TIMING,
      ...(o.legacy !== undefined ? { legacy: o.legacy } : {}),
    });
    cleanups.push(() => sandbox.stop());
    await tolerantHealthChecks(sandbox);
    const tag = `echo-bot-e2e-${net.slot.index}`;
    for (const h of net.hosts.filter((x) => o.envHosts === undefined || o.envHosts.includes(x.index)))
      sandbox.aws.control.addInstance({ tags: { app: tag, Name: `${tag}-h${h.index}` }, privateIp: h.address });
    const fwd = await forwarder(net.gateway, Number(new URL(sandbox.telegram.url).port));
    cleanups.push(() => fwd.close());

    await mkdir(join(dir, "environments"), { recursive: true });
    const name = o.environment ?? "e2e";
    const envFile = join(dir, "environments", `${name}.yaml`);
    const knownHostsFile = join(dir, "known_hosts");
    await writeFile(knownHostsFile, knownHostsFor(net.hosts));
    const env: NodeJS.ProcessEnv = { ...process.env, E2E_BOT_TOKEN: BOT_TOKEN, E2E_WEBHOOK_SECRET: WEBHOOK_SECRET, NO_COLOR: "1" };
    const control = async (path: string, init?: RequestInit) => (await (await fetch(`${sandbox.telegram.url}/_control/${path}`, init)).json()) as unknown;
    const w: E2eWorld = {
      net,
      registry: reg,
      sandbox,
      dir,
      envFile,
      knownHostsFile,
      containerApiBase: `http://${net.gateway}:${fwd.port}`,
      cli: (args, opts) =>
        new Promise((res) => {
          execFile(
            process.execPath,
            [CLI, ...args, "--config-dir", dir],
            { env, timeout: opts?.timeoutMs ?? 150_000, maxBuffer: 16 * 2 ** 20 },
            (err, stdout, stderr) => {
              const code = err === null ? 0 : typeof err.code === "number" ? err.code : -1;
              res(parseResult(code, stdout, stderr));
            },
          );
        }),
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
      lostUpdates: async (deadlineMs = 60_000) => {
        const end = Date.now() + deadlineMs;
        for (;;) {
          const u = (await control(`updates?token=${encodeURIComponent(BOT_TOKEN)}`)) as { updateId: number; acknowledged: boolean }[];
          const lost = u.filter((x) => !x.acknowledged).map((x) => x.updateId);
          if (lost.length === 0 || Date.now() > end) return lost;
          await new Promise((r) => setTimeout(r, 250));
        }
      },
      env,
      onStop: (fn) => {
        cleanups.push(fn);
      },
      stop,
    };
    const parts: EnvParts = {
      sandbox,
      registry: reg,
      knownHostsFile,
      containerApiBase: w.containerApiBase,
      hostFs: net.hostFs,
      privateKey: first.sshd.privateKeyPath,
      tag,
      secretPrefix: "E2E",
    };
    await writeFile(envFile, environmentYaml(parts, o));
    return w;
  } catch (err) {
    await stop();
    throw err;
  }
}
