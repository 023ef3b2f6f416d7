// A throwaway sandbox host for the runtime integration tests: a state dir, the `docker` shim,
// and a way to run it as a real executable. Teardown kills every process by recorded pid and
// proves, by scanning /proc, that nothing that mentions the state dir survived.
import { execFile } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { killAllContainers, writeDockerShim } from "../../src/sandbox/runtime/index.js";

export const COMPILED_CLI = fileURLToPath(new URL("../../dist/src/sandbox/runtime/docker-cli.js", import.meta.url));
export const FAKE_TOKEN = "123456789:TEST-bot-token-aaaaaaaaaaaaaaaaaaaaaaaaa";

export interface DockerResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RuntimeWorld {
  stateRoot: string;
  host: string;
  shim: string;
  docker(...args: string[]): Promise<DockerResult>;
  /** Runs the shim with env overrides (undefined removes a variable), e.g. another sandbox host. */
  dockerWithEnv(overrides: Record<string, string | undefined>, ...args: string[]): Promise<DockerResult>;
  dockerOk(...args: string[]): Promise<string>;
  teardown(): Promise<number>;
}

export function requireCompiledRuntime(): void {
  if (!existsSync(COMPILED_CLI)) {
    throw new Error(`${COMPILED_CLI} is missing: run \`npx tsc -p tsconfig.json\` before the runtime integration tests`);
  }
}

export async function createRuntimeWorld(host: string): Promise<RuntimeWorld> {
  requireCompiledRuntime();
  const stateRoot = await mkdtemp(join(tmpdir(), "bluegreen-runtime-"));
  const shim = await writeDockerShim(join(stateRoot, "bin"));
  const env = { ...process.env, BLUEGREEN_SANDBOX_STATE: stateRoot, BLUEGREEN_SANDBOX_HOST: host };
  const dockerWithEnv = (overrides: Record<string, string | undefined>, ...args: string[]) =>
    new Promise<DockerResult>((done) => {
      const merged: NodeJS.ProcessEnv = { ...env, ...overrides };
      for (const [key, value] of Object.entries(overrides)) if (value === undefined) delete merged[key];
      execFile(shim, args, { env: merged, timeout: 30_000 }, (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
        done({ code, stdout, stderr });
      });
    });
  const docker = (...args: string[]) => dockerWithEnv({}, ...args);
  const dockerOk = async (...args: string[]) => {
    const result = await docker(...args);
    if (result.code !== 0) throw new Error(`docker ${args.join(" ")} exited ${result.code}: ${result.stderr}`);
    return result.stdout;
  };
  const teardown = async () => {
    const killed = await killAllContainers(stateRoot);
    const survivors = processesMentioning(stateRoot);
    await rm(stateRoot, { recursive: true, force: true });
    if (survivors.length > 0) throw new Error(`processes survived teardown: ${survivors.join(", ")}`);
    return killed;
  };
  return { stateRoot, host, shim, docker, dockerWithEnv, dockerOk, teardown };
}

/** Live (non-zombie) processes whose command line or environment contains `text`. */
export function processesMentioning(text: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      if (/^\S+ \(.*\) Z/.test(stat)) continue;
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, "utf8");
      const environ = readFileSync(`/proc/${entry}/environ`, "utf8");
      if (cmdline.includes(text) || environ.includes(text)) found.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}

/** Polls until check() returns a value (not undefined) or the deadline passes. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ""}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function httpGet(url: string): Promise<{ status: number; body: string }> {
  const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
  return { status: response.status, body: await response.text() };
}

export async function postUpdate(
  url: string,
  update: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(update),
    signal: AbortSignal.timeout(2_000),
  });
  return { status: response.status, body: await response.text() };
}

/** Waits for GET url to answer `status`; returns the body. */
export function waitForStatus(url: string, status: number, timeoutMs = 10_000): Promise<string> {
  return eventually(
    `${url} -> ${status}`,
    async () => {
      const r = await httpGet(url);
      return r.status === status ? r.body : undefined;
    },
    timeoutMs,
  );
}

export async function inspectState(world: RuntimeWorld, name: string): Promise<Record<string, unknown>> {
  const [object] = JSON.parse(await world.dockerOk("inspect", "--type", "container", name)) as Record<string, unknown>[];
  if (!object) throw new Error(`no inspect output for ${name}`);
  return object;
}
