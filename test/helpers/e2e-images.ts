// The local registry the hosts pull from, and the echo-bot images in it. No public registry is
// reachable, so the base image is the machine's own node binary plus the shared libraries it links
// (`docker import`), and each variant is a tag with BOT_VARIANT baked in. The registry's storage is
// cached under node_modules/.cache keyed by a hash of everything that goes into the images, so only
// the first run (or one after the bot changed) builds and pushes. E2e files run in parallel: on a
// cold cache the first to take the key's build lock builds, the others wait for its cache entry
// instead of each building the same images (minutes on 2 cores).
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { DOCKER, type E2eHost } from "./e2e-hosts.js";
import { killQuietly } from "./e2e-net.js";
import { REPO } from "./sandbox-env.js";

export const VARIANTS = ["v1", "v2", "crash-on-boot", "memory-hog", "webhook-500", "wrong-port", "polling-mode"] as const;
const BOT_DIST = join(REPO, "dist/examples/echo-bot");
const DOCKERFILE = join(REPO, "examples/echo-bot/Dockerfile");
const PACKAGE_JSON = join(REPO, "examples/echo-bot/docker-package.json");
const CACHE = join(REPO, "node_modules/.cache/bluegreen-e2e");

export interface Registry {
  /** host:port, as image references use it. */
  address: string;
  /** Whether the storage came from the cache (no build needed). */
  cached: boolean;
  storage: string;
  pid: number;
  stop(): Promise<void>;
}

function botFiles(): string[] {
  if (!existsSync(join(BOT_DIST, "main.js"))) throw new Error(`${BOT_DIST}/main.js is missing: run \`npx tsc -p tsconfig.json\` first`);
  return readdirSync(BOT_DIST)
    .filter((f) => f.endsWith(".js"))
    .sort();
}

function nodeBinary(): string {
  return execFileSync("readlink", ["-f", process.execPath], { encoding: "utf8" }).trim();
}

/** Hash of the Dockerfile, the compiled bot, the node binary (path, size, mtime) and the variants. */
export function imagesKey(): string {
  const h = createHash("sha256");
  h.update(readFileSync(DOCKERFILE));
  h.update(readFileSync(PACKAGE_JSON));
  for (const f of botFiles()) h.update(f).update(readFileSync(join(BOT_DIST, f)));
  const node = nodeBinary();
  const st = statSync(node);
  h.update(`${node}|${st.size}|${st.mtimeMs}|${VARIANTS.join(",")}`);
  return h.digest("hex").slice(0, 16);
}

export function freePortOn(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, host, () => {
      const a = server.address();
      const port = typeof a === "object" && a ? a.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const lockDir = (key: string) => join(CACHE, `${key}.building`);

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Takes the build lock of `key` (an atomic mkdir holding our pid); a lock whose holder died is taken over. */
function tryBuildLock(key: string): boolean {
  mkdirSync(CACHE, { recursive: true });
  try {
    mkdirSync(lockDir(key));
  } catch {
    const holder = Number(readFileSync(join(lockDir(key), "pid"), { encoding: "utf8", flag: "a+" }).trim());
    if (Number.isInteger(holder) && holder > 0 && pidAlive(holder)) return false;
    rmSync(lockDir(key), { recursive: true, force: true });
    return tryBuildLock(key);
  }
  writeFileSync(join(lockDir(key), "pid"), String(process.pid));
  return true;
}

export function releaseBuildLock(key: string): void {
  const pidFile = join(lockDir(key), "pid");
  if (existsSync(pidFile) && readFileSync(pidFile, "utf8").trim() === String(process.pid)) rmSync(lockDir(key), { recursive: true, force: true });
}

/**
 * Whether the cache entry for `key` is ready; when it is not and another process is building it,
 * waits (bounded) for that build. false means: build it yourself (the lock is now ours).
 */
async function cacheReady(key: string): Promise<boolean> {
  const ready = () => existsSync(join(CACHE, key, "READY"));
  const deadline = Date.now() + 600_000;
  for (;;) {
    if (ready()) return true;
    if (tryBuildLock(key)) {
      if (!ready()) return false;
      releaseBuildLock(key);
      return true;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for another test file to build the e2e images (${lockDir(key)})`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Starts docker-registry on gateway:<free port>, its storage a copy of the cache when there is one. */
export async function startRegistry(gateway: string, recordPid: (pid: number) => void): Promise<Registry> {
  const key = imagesKey();
  const dir = mkdtempSync(join(tmpdir(), "bge2e-registry-"));
  const storage = join(dir, "storage");
  const cachedDir = join(CACHE, key);
  const cached = await cacheReady(key);
  if (cached) cpSync(join(cachedDir, "storage"), storage, { recursive: true });
  else mkdirSync(storage);
  const port = await freePortOn(gateway);
  const address = `${gateway}:${port}`;
  writeFileSync(
    join(dir, "config.yml"),
    `version: 0.1\nlog: { level: warn }\nstorage:\n  filesystem: { rootdirectory: ${storage} }\nhttp:\n  addr: ${address}\n`,
  );
  const child: ChildProcess = spawn("/usr/bin/docker-registry", ["serve", join(dir, "config.yml")], { stdio: ["ignore", "ignore", "pipe"] });
  let log = "";
  child.stderr?.on("data", (d: Buffer) => {
    log = (log + d.toString()).slice(-8192);
  });
  const pid = child.pid ?? -1;
  recordPid(pid);
  const stop = async () => {
    // A world that failed before it built must not leave the other files waiting for it.
    if (!cached) releaseBuildLock(key);
    killQuietly(pid, "SIGTERM");
    await new Promise<void>((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.once("exit", () => r())));
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      const res = await fetch(`http://${address}/v2/`, { signal: AbortSignal.timeout(1_000) });
      if (res.status === 200) return { address, cached, storage, pid, stop };
    } catch {
      // Not listening yet.
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`docker-registry did not start on ${address}: ${log}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Builds bluegreen-node-base and every echo-bot variant on `builder`, pushes them, and fills the cache. */
export function buildAndPushImages(builder: E2eHost, registry: Registry): void {
  if (registry.cached) return;
  const key = imagesKey();
  const work = mkdtempSync(join(tmpdir(), "bge2e-build-"));
  try {
    // Base: node and the libraries ldd lists (plus the loader), imported as a one-layer image.
    const rootfs = join(work, "rootfs");
    const node = nodeBinary();
    const libs = execFileSync("ldd", [node], { encoding: "utf8" }).match(/\/\S+/g) ?? [];
    for (const file of [node, ...libs]) {
      const target = join(rootfs, file === node ? "/usr/bin/node" : file);
      mkdirSync(dirname(target), { recursive: true });
      cpSync(file, target, { dereference: true });
    }
    mkdirSync(join(rootfs, "tmp"), { mode: 0o1777 });
    execFileSync("bash", ["-c", `tar -C ${rootfs} -c . | ${DOCKER} import - bluegreen-node-base`], {
      env: { ...process.env, DOCKER_HOST: builder.dockerHost },
      stdio: "pipe",
      timeout: 120_000,
    });
    // A small build context (the repository root would send node_modules to the engine).
    const ctx = join(work, "ctx");
    mkdirSync(join(ctx, "examples/echo-bot"), { recursive: true });
    mkdirSync(join(ctx, "dist/examples/echo-bot"), { recursive: true });
    cpSync(DOCKERFILE, join(ctx, "examples/echo-bot/Dockerfile"));
    cpSync(PACKAGE_JSON, join(ctx, "examples/echo-bot/docker-package.json"));
    for (const f of botFiles()) cpSync(join(BOT_DIST, f), join(ctx, "dist/examples/echo-bot", f));
    for (const v of VARIANTS) {
      const tag = `${registry.address}/echo-bot:${v}`;
      builder.docker(["build", "-q", "-f", join(ctx, "examples/echo-bot/Dockerfile"), "--build-arg", `BOT_VARIANT=${v}`, "-t", tag, ctx], {
        timeoutMs: 180_000,
      });
      builder.docker(["push", "-q", tag], { timeoutMs: 180_000 });
    }
    // Publish to the cache atomically: copy, mark READY, rename into place (a parallel run may win).
    mkdirSync(CACHE, { recursive: true });
    const staging = mkdtempSync(join(CACHE, "tmp-"));
    cpSync(registry.storage, join(staging, "storage"), { recursive: true });
    writeFileSync(join(staging, "READY"), new Date().toISOString());
    try {
      renameSync(staging, join(CACHE, key));
    } catch {
      rmSync(staging, { recursive: true, force: true });
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
    releaseBuildLock(key);
  }
}
