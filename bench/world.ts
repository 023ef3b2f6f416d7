// A sandbox world for one benchmark scenario: emulators, N hosts, the docker stand-in wrapped by a
// counting script (so docker commands per release can be reported), an environment YAML, and a
// `cli()` that runs the built CLI as a subprocess while sampling its peak RSS.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { CallCounts } from "../src/adapters/call-count.js";
import { initSandboxRegistry, killAllContainers } from "../src/sandbox/runtime/index.js";
import { type SandboxWorld, startSandboxWorld } from "../src/sandbox/world.js";
import { environmentYaml, type WorldOptions } from "../test/helpers/sandbox-env.js";
import { runQueueWaitMs } from "./world-cpu.js";

export const REPO = resolve(import.meta.dirname, "../..");
export const CLI = join(REPO, "dist/src/cli/main.js");
export const BOT_TOKEN = "7000000003:TEST-bot-token-bench-aaaaaaaaaaaaaaaaaaa";
const WEBHOOK_SECRET = "TEST-webhook-secret-bench";

export interface CliRun {
  code: number;
  wallMs: number;
  /** VmHWM of the CLI process sampled from /proc while it ran (MB); 0 when never sampled. */
  peakRssMb: number;
  events: Record<string, unknown>[];
  result: Record<string, unknown> | undefined;
  stderr: string;
  /** Calls counted in the CLI's adapters (BLUEGREEN_CALL_COUNTS); undefined if the CLI wrote none. */
  calls: CallCounts | undefined;
  /** Time the CLI's main thread was runnable but waiting for a core (schedstat, sampled while it ran; ms). */
  runQueueMs: number;
}

export interface BenchWorld {
  world: SandboxWorld;
  dir: string;
  env: NodeJS.ProcessEnv;
  /** Where the CLI's local transport keeps containers: <config-dir>/.bluegreen/sandbox/runtime. */
  cliRuntimeDir: string;
  envFileDir: string;
  startMs: number;
  cli(args: string[], timeoutMs?: number, extraEnv?: NodeJS.ProcessEnv): Promise<CliRun>;
  /** docker commands (first argv word) run through the shim since the last reset. */
  dockerCalls(): Promise<string[]>;
  resetDockerCalls(): Promise<void>;
  tg<T>(path: string, init?: RequestInit): Promise<T>;
  stop(): Promise<void>;
}

function vmHwmMb(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m?.[1] !== undefined ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/**
 * awsTimeScale defaults to 0.2 (the sandbox's own default: ALB health check every 1 s, timeout
 * 400 ms). The integration tests' 0.05 gives a 100 ms health-check timeout, which a bot under a
 * 50 updates/s stream on a loaded 2-core box misses, so healthy releases were rolled back.
 */
/** The AWS emulator's time scale in every bench world unless a scenario says otherwise. */
export const BENCH_AWS_TIME_SCALE = 0.2;

export async function startBenchWorld(o: WorldOptions & { hosts: number; firstHost: number; awsTimeScale?: number }): Promise<BenchWorld> {
  const dir = await mkdtemp(join(tmpdir(), "bluegreen-bench-"));
  await mkdir(join(dir, "environments"), { recursive: true });
  const t0 = performance.now();
  const world = await startSandboxWorld({
    root: join(dir, "sandbox"),
    hosts: o.hosts,
    firstHost: o.firstHost,
    // Another bench on the same machine (a second worktree) takes the same 127.0.1.<n> addresses:
    // BLUEGREEN_BENCH_HOST_PREFIX=127.0.2 (any 127.x.y) keeps the two apart.
    ...(process.env.BLUEGREEN_BENCH_HOST_PREFIX ? { hostPrefix: process.env.BLUEGREEN_BENCH_HOST_PREFIX } : {}),
    botToken: BOT_TOKEN,
    awsTimeScale: o.awsTimeScale ?? BENCH_AWS_TIME_SCALE,
    telegramTimeScale: 0.05,
  });
  const startMs = performance.now() - t0;
  // The CLI follows BLUEGREEN_SANDBOX_STATE (set below), so its containers live in the world's runtime.
  const cliRuntimeDir = world.runtimeDir;
  try {
    await initSandboxRegistry(cliRuntimeDir);
    await writeFile(
      join(dir, "environments", `${o.environment ?? "bench"}.yaml`),
      environmentYaml(world, dir, { environment: "bench", hostConcurrency: null, ...o }),
    );
    // The docker stand-in logs each sub-command here (BLUEGREEN_SANDBOX_DOCKER_LOG). Not a wrapper
    // script on PATH: the sandbox transport runs only its own shim in-process, and would spawn a wrapper.
    const log = join(dir, "docker-calls.log");
    await writeFile(log, "");
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ITEST_BOT_TOKEN: BOT_TOKEN,
      ITEST_WEBHOOK_SECRET: WEBHOOK_SECRET,
      // The SDK code cache in a folder of the bench's own (warmed by each world's first, unmeasured
      // release), not the user's: figures that do not depend on what ~/.cache/bluegreen holds.
      BLUEGREEN_CACHE_DIR: process.env.BLUEGREEN_CACHE_DIR ?? join(tmpdir(), "bluegreen-bench-code-cache"),
      PATH: `${world.binDir}:${process.env.PATH ?? ""}`,
      BLUEGREEN_SANDBOX_STATE: world.runtimeDir,
      BLUEGREEN_SANDBOX_DOCKER_LOG: log,
      NO_COLOR: "1",
    };
    let runs = 0;
    const cli = (args: string[], timeoutMs = 120_000, extraEnv: NodeJS.ProcessEnv = {}) =>
      new Promise<CliRun>((res) => {
        const started = performance.now();
        const callsFile = join(dir, `calls-${++runs}.json`);
        const child = spawn(process.execPath, [CLI, ...args, "--config-dir", dir], {
          env: { ...env, ...extraEnv, BLUEGREEN_CALL_COUNTS: callsFile },
          stdio: ["ignore", "pipe", "pipe"],
        });
        let stdout = "";
        let stderr = "";
        let peak = 0;
        let waited = 0;
        const pid = child.pid ?? -1;
        const sample = setInterval(() => {
          peak = Math.max(peak, vmHwmMb(pid));
          waited = Math.max(waited, runQueueWaitMs(pid) ?? 0);
        }, 25);
        const kill = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
        child.stdout.on("data", (d: Buffer) => {
          stdout += d.toString();
          peak = Math.max(peak, vmHwmMb(pid)); // VmHWM only grows: a late sample is the best one
        });
        child.stderr.on("data", (d: Buffer) => {
          stderr += d.toString();
        });
        child.on("close", (code) => {
          clearInterval(sample);
          clearTimeout(kill);
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
          const wallMs = performance.now() - started;
          let calls: CallCounts | undefined;
          try {
            calls = JSON.parse(readFileSync(callsFile, "utf8")) as CallCounts;
          } catch {
            calls = undefined;
          }
          res({
            code: code ?? -1,
            wallMs,
            peakRssMb: peak,
            events,
            result: events.filter((e) => e.type === "result").at(-1),
            stderr,
            calls,
            runQueueMs: waited,
          });
        });
      });
    const tg = async <T>(path: string, init?: RequestInit): Promise<T> => (await (await fetch(`${world.telegram.url}/_control/${path}`, init)).json()) as T;
    return {
      world,
      dir,
      env,
      cliRuntimeDir,
      envFileDir: join(dir, "files"),
      startMs,
      cli,
      tg,
      dockerCalls: async () => (await readFile(log, "utf8")).split("\n").filter((l) => l !== ""),
      resetDockerCalls: () => writeFile(log, ""),
      stop: async () => {
        // The CLI runs containers under <config-dir>/.bluegreen/sandbox/runtime, not world.runtimeDir,
        // so world.stop() alone leaves those bots running: kill both state roots.
        await killAllContainers(cliRuntimeDir).catch(() => 0);
        await world.stop();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await killAllContainers(cliRuntimeDir).catch(() => 0);
    await world.stop();
    throw e;
  }
}
