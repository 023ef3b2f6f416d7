// require() with a V8 code cache, for the AWS SDK clients (@aws-sdk/client-ec2 is one 2 MB bundle,
// @smithy/core and the rest another 20 files) and zod (95 files, loaded by every command that reads
// a configuration). Compiling them is much of what loading them costs on every run of the CLI
// (measured on the 2-core sandbox machine: client-ec2 160-250 ms to compile, 25-65 ms from the
// cache; zod about 100 ms of CPU as ES modules, about 50 through this), and the files never change
// between runs. Node 22's module.enableCompileCache() does this for every module; Node 20, which
// bluegreen supports, has no such thing, so this does it for the packages that matter.
//
// The cache is an optimisation only: any problem (no cache folder, one not owned by this user or
// writable by others, a stale or corrupt entry, a full disk) falls back to a plain require().
import { createHash } from "node:crypto";
import {
  closeSync,
  fstatSync,
  fsyncSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmdirSync,
  rmSync,
  statSync,
  writeSync,
} from "node:fs";
import { createRequire, Module } from "node:module";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { deserialize, serialize } from "node:v8";
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
  /**
   * "hit": every file it loaded compiled from the cache; "written": one or more compiled afresh and
   * the entry written for next time; "plain": require() as usual.
   */
  cache: "hit" | "written" | "plain";
}

/** One entry's code caches, per file, each with the SHA-256 of the source it was made from. */
type Caches = Map<string, { digest: string; data: Uint8Array }>;

function decodeEntry(payload: Buffer | undefined): Caches {
  if (payload === undefined) return new Map();
  try {
    const files = deserialize(payload) as unknown;
    return files instanceof Map ? (files as Caches) : new Map();
  } catch {
    return new Map();
  }
}

const digestOf = (source: string): string => createHash("sha256").update(source).digest("hex");

/** A dynamic import() in a file's source (see the compile hook below). */
const DYNAMIC_IMPORT = /\bimport\s*\(/;

type Compile = (this: Module, content: string, filename: string, format?: string) => unknown;

/**
 * require(id) resolved from this module, with every CommonJS file it loads (the file and the files
 * it requires that were not loaded yet: @smithy/core under an SDK client, zod's 95 files) compiled
 * with a V8 code cache kept in `dir` (undefined: plain require; the loaders pass compileCacheDir()).
 * One entry per id, holding each file's cache with the SHA-256 of the source it was made from; the
 * entry's name is a hash of the file's path and content (V8 itself checks little more than the
 * length) and V8's flag state (v8CacheState). A file whose cache is missing, stale or rejected is
 * compiled as usual, and the entry is written again after the module ran, so it also holds the
 * functions compiled while it loaded. Only one read and at most one write per id: an SDK client or
 * zod is a hundred files or more.
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
  const caches = decodeEntry(stored === undefined ? undefined : unsealed(stored));
  const fresh: { filename: string; digest: string; script: Script }[] = [];
  const proto = Module.prototype as unknown as { _compile: Compile };
  const nodeCompile = proto._compile;
  // Node's loader reads, resolves and wraps as usual; only the compile step is ours while this
  // require runs (it is synchronous: nothing else loads in between), and it is put back after.
  proto._compile = function (this: Module, content: string, filename: string, format?: string): unknown {
    // An ES module (Node's ESM-from-CJS path) or a script with a #! line: Node's own compile.
    if (format === "module" || content.startsWith("#!")) return nodeCompile.call(this, content, filename, format);
    // A file with a dynamic import(): a vm.Script has no loader for it (ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING
    // at call time, e.g. @aws/lambda-invoke-store's import('node:async_hooks') on every SDK request when
    // AWS_LAMBDA_MAX_CONCURRENCY is set), so Node compiles it; a false match (the text in a string) only costs the cache.
    if (DYNAMIC_IMPORT.test(content)) return nodeCompile.call(this, content, filename, format);
    const digest = digestOf(content);
    const known = caches.get(filename);
    const cachedData = known !== undefined && known.digest === digest ? known.data : undefined;
    let script: Script;
    try {
      script = new Script(Module.wrap(content), { filename, ...(cachedData !== undefined ? { cachedData } : {}) });
    } catch {
      // A syntax error (or ESM syntax): Node's compile says it the way require() always does.
      return nodeCompile.call(this, content, filename, format);
    }
    if (cachedData === undefined || script.cachedDataRejected === true) fresh.push({ filename, digest, script });
    const wrapper = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: Module, filename: string, dirname: string) => void;
    return wrapper.call(this.exports, this.exports, createRequire(filename), this, filename, dirname(filename));
  };
  let exports: unknown;
  try {
    exports = plainRequire(id);
  } finally {
    proto._compile = nodeCompile;
  }
  if (fresh.length === 0) return { exports, cache: "hit" };
  for (const f of fresh) caches.set(f.filename, { digest: f.digest, data: f.script.createCachedData() });
  const written = writeEntry(entry, serialize(caches));
  if (written) pruneCache(folder, Date.now());
  return { exports, cache: written ? "written" : "plain" };
}

/** A `.tmp` this old was left by a cut write (a write takes milliseconds): no writer will rename it. */
export const STALE_TMP_MS = 60_000;
/**
 * An entry, or another Node version's folder, not written for this long: an entry of an older
 * bluegreen (its files' contents are in the key) or of a Node no longer run. One still in use
 * only costs one compile, once: it is written again on its next run.
 */
export const STALE_ENTRY_MS = 14 * 24 * 60 * 60 * 1000;

const ENTRY_FILE = /^[0-9a-f]{64}\.bin$/;
const TMP_FILE = /^[0-9a-f]{64}\.bin\.\d+\.tmp$/;
const VERSION_FOLDER = /^v8-v\d+\.\d+\.\d+-[a-z0-9]+$/;

/**
 * Run after a write (a miss: rare), so the cache does not only grow: in `folder`, entries not
 * written for STALE_ENTRY_MS and `.tmp` files older than STALE_TMP_MS; beside it, other Node
 * versions' folders not written for STALE_ENTRY_MS. Only names this module writes are touched,
 * never through a symlink, and every failure is ignored: a cache must never fail the CLI.
 */
export function pruneCache(folder: string, now: number): void {
  removeStale(folder, now);
  try {
    const base = dirname(folder);
    for (const d of readdirSync(base, { withFileTypes: true })) {
      const other = join(base, d.name);
      if (!d.isDirectory() || !VERSION_FOLDER.test(d.name) || other === folder) continue;
      if (now - lstatSync(other).mtimeMs < STALE_ENTRY_MS) continue;
      removeStale(other, Number.POSITIVE_INFINITY);
      rmdirSync(other); // fails, and is left, unless it held only our files
    }
  } catch {
    // Unreadable, or removed by another process meanwhile: left for the next write.
  }
}

function removeStale(folder: string, now: number): void {
  try {
    for (const f of readdirSync(folder, { withFileTypes: true })) {
      if (!f.isFile()) continue;
      const limit = ENTRY_FILE.test(f.name) ? STALE_ENTRY_MS : TMP_FILE.test(f.name) ? STALE_TMP_MS : undefined;
      const path = join(folder, f.name);
      try {
        if (limit !== undefined && now - lstatSync(path).mtimeMs >= limit) rmSync(path, { force: true });
      } catch {
        // Gone already, or not ours to remove.
      }
    }
  } catch {
    // No folder to read: nothing to prune.
  }
}
