// require() with a V8 code cache, for the AWS SDK clients' one-file bundles (@aws-sdk/client-ec2's
// is 2 MB). Compiling that file is most of what loading it costs on every run of the CLI (measured
// on the 2-core sandbox machine: 160-250 ms to compile, 25-65 ms from the cache), and the file never
// changes between runs. Node 22's module.enableCompileCache() does this for every module; Node 20,
// which bluegreen supports, has no such thing, so this does it for the few files that matter.
//
// The cache is an optimisation only: any problem (no cache folder, one not owned by this user or
// writable by others, a stale or corrupt entry, a full disk) falls back to a plain require().
import { createHash } from "node:crypto";
import { closeSync, fstatSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from "node:fs";
import { createRequire, Module } from "node:module";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { Script } from "node:vm";

const plainRequire = createRequire(import.meta.url);

/**
 * Where entries live: BLUEGREEN_CACHE_DIR, else $XDG_CACHE_HOME/bluegreen, else ~/.cache/bluegreen;
 * undefined when BLUEGREEN_COMPILE_CACHE=0. One folder per Node version (V8 rejects another's code).
 */
export function compileCacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.BLUEGREEN_COMPILE_CACHE === "0") return undefined;
  try {
    // homedir() throws with no HOME and a uid without a passwd entry: then there is no cache.
    const base = env.BLUEGREEN_CACHE_DIR || join(env.XDG_CACHE_HOME || join(homedir(), ".cache"), "bluegreen");
    return join(base, `v8-${process.version}-${process.arch}`);
  } catch {
    return undefined;
  }
}

/**
 * An entry is the SHA-256 of V8's code cache, then the cache. V8 checks a cache's length and
 * flags, not its payload: a torn or bit-flipped entry of the right length aborts the process
 * (a V8 fatal error, every run until someone deletes it), so the payload is checked here first.
 */
const DIGEST_BYTES = 32;

function sealed(data: Buffer): Buffer {
  return Buffer.concat([createHash("sha256").update(data).digest(), data]);
}

/** The code cache in an entry, or undefined when the entry is not one whole, intact write of ours. */
export function unsealed(entry: Buffer): Buffer | undefined {
  if (entry.length <= DIGEST_BYTES) return undefined;
  const data = entry.subarray(DIGEST_BYTES);
  return createHash("sha256").update(data).digest().equals(entry.subarray(0, DIGEST_BYTES)) ? data : undefined;
}

/** The entry's bytes, only from a regular file this user owns that no one else may write. */
function readOwnEntry(path: string): Buffer | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(path, "r");
    const st = fstatSync(fd);
    const uid = process.getuid?.();
    if (!st.isFile() || (uid !== undefined && st.uid !== uid) || (st.mode & 0o022) !== 0) return undefined;
    return readFileSync(fd);
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Written whole under another name, flushed, then renamed: a reader sees the old entry or the new one. */
function writeEntry(path: string, data: Buffer): boolean {
  const partial = `${path}.${process.pid}.tmp`;
  let fd: number | undefined;
  try {
    fd = openSync(partial, "w", 0o600);
    writeSync(fd, sealed(data));
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(partial, path);
    return true;
  } catch {
    if (fd !== undefined) closeSync(fd);
    rmSync(partial, { force: true });
    return false;
  }
}

/**
 * The folder, created private if missing; undefined unless it is ours alone: code read from a
 * cache runs as this process, so a folder someone else can write to must not be trusted.
 */
function privateDir(dir: string): string | undefined {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = statSync(dir);
    const uid = process.getuid?.();
    if (!st.isDirectory() || (uid !== undefined && st.uid !== uid) || (st.mode & 0o022) !== 0) return undefined;
    return dir;
  } catch {
    return undefined;
  }
}

/**
 * What V8 checks a code cache against besides the source, as this process runs now: its version and
 * the hash of its flags, read from the header of a code cache made for a one-character script
 * (magic number, version hash, source hash, flag hash: its first 16 bytes). The CLI sets V8 flags at
 * its entry (src/cli/heap.ts) and V8 rejects a cache made under other flags; with this in the key, a
 * process started without them (a test, a library user) keeps entries of its own instead of
 * evicting the CLI's, and back, on every run. Read at each load: flags can change while a process runs.
 */
export function v8CacheState(): Buffer {
  return new Script("0", { filename: "bluegreen-v8-cache-state" }).createCachedData().subarray(0, 16);
}

export interface CachedRequireResult {
  exports: unknown;
  /** "hit": compiled from the cache; "written": compiled and cached for next time; "plain": require() as usual. */
  cache: "hit" | "written" | "plain";
}

/**
 * require(id) resolved from this module, compiled with a code cache kept in `dir` (undefined: plain
 * require; the SDK loaders pass compileCacheDir()). The entry is keyed by the file's path, a hash
 * of its content (V8 itself checks little more than the length) and V8's flag state (v8CacheState), and
 * written after the module ran, so it also holds the functions compiled while it loaded.
 */
export function requireWithCodeCache(id: string, dir: string | undefined): CachedRequireResult {
  const file = plainRequire.resolve(id);
  const loaded = plainRequire.cache[file];
  if (loaded !== undefined) return { exports: loaded.exports, cache: "plain" };
  const folder = dir === undefined ? undefined : privateDir(dir);
  if (folder === undefined) return { exports: plainRequire(id), cache: "plain" };
  let source: string;
  try {
    source = readFileSync(file, "utf8");
  } catch {
    return { exports: plainRequire(id), cache: "plain" };
  }
  const key = createHash("sha256").update(file).update("\0").update(source).update("\0").update(v8CacheState());
  const entry = join(folder, `${key.digest("hex")}.bin`);
  const stored = readOwnEntry(entry);
  const cachedData = stored === undefined ? undefined : unsealed(stored);
  // The same wrapper and module object Node's CommonJS loader would give the file.
  const script = new Script(Module.wrap(source), { filename: file, ...(cachedData !== undefined ? { cachedData } : {}) });
  const mod = new Module(file);
  mod.filename = file;
  // Where a bare require() from this module looks, as Node's loader sets it.
  mod.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(dirname(file));
  plainRequire.cache[file] = mod;
  try {
    const wrapper = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: Module, filename: string, dirname: string) => void;
    wrapper.call(mod.exports, mod.exports, createRequire(file), mod, file, dirname(file));
    mod.loaded = true;
  } catch (e) {
    delete plainRequire.cache[file];
    throw e;
  }
  if (cachedData !== undefined && script.cachedDataRejected !== true) return { exports: mod.exports, cache: "hit" };
  return { exports: mod.exports, cache: writeEntry(entry, script.createCachedData()) ? "written" : "plain" };
}
