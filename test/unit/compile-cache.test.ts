// The SDK bundles' code cache: written once, then read; a changed file gets its own entry; a
// corrupt entry, a folder others can write to, or no folder fall back to a plain compile that
// gives the same module. Each load runs in a fresh Node process (the built module), as the CLI
// does: inside one process V8's own in-memory compilation cache would answer instead.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileCacheDir, pruneCache, STALE_ENTRY_MS, STALE_TMP_MS, unsealed } from "../../src/adapters/compile-cache.js";

const BUILT = resolve(import.meta.dirname, "../../dist/src/adapters/compile-cache.js");
const HEAP = resolve(import.meta.dirname, "../../dist/src/cli/heap.js");
let root: string;
let n = 0;

async function moduleFile(body: string): Promise<string> {
  const file = join(root, `mod-${++n}.cjs`);
  await writeFile(file, body);
  return file;
}

/**
 * requireWithCodeCache(file, dir) in a new process: how it loaded, and what the module exports
 * (functions called with 21). `cliFlags`: the process first sets the V8 flags the CLI sets at its entry.
 */
function load(file: string, dir: string | undefined, opts: { cliFlags?: boolean } = {}): { cache: string; exports: Record<string, unknown> } {
  const flags = opts.cliFlags === true ? `(await import(${JSON.stringify(HEAP)})).applyCliHeapFlags();` : "";
  const script = `
    import { requireWithCodeCache } from ${JSON.stringify(BUILT)};
    ${flags}
    const r = requireWithCodeCache(${JSON.stringify(file)}, ${dir === undefined ? "undefined" : JSON.stringify(dir)});
    const exports = Object.fromEntries(Object.entries(r.exports).map(([k, v]) => [k, typeof v === "function" ? v(21) : v]));
    process.stdout.write(JSON.stringify({ cache: r.cache, exports }));`;
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8", timeout: 30_000 });
  if (r.status !== 0) throw new Error(`load failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout) as { cache: string; exports: Record<string, unknown> };
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "bluegreen-compile-cache-"));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("requireWithCodeCache (the V8 code cache of the AWS SDK clients and zod)", () => {
  it("writes an entry on the first load and compiles from it on the next; the module is the same either way", async () => {
    const dir = join(root, "cache-a");
    const file = await moduleFile("exports.answer = 42; exports.twice = (x) => x * 2; exports.dir = __dirname; exports.self = module.id === __filename;");
    const expected = { answer: 42, twice: 42, dir: root, self: true };
    expect(load(file, dir)).toEqual({ cache: "written", exports: expected });
    expect(load(file, dir)).toEqual({ cache: "hit", exports: expected });
    expect(await readdir(dir)).toHaveLength(1);
  });

  it("the files a module requires are compiled from the same entry: one entry; a changed dependency is compiled afresh and the entry rewritten", async () => {
    const dir = join(root, "cache-deps");
    const dep = join(root, `dep-${++n}.cjs`);
    await writeFile(dep, "exports.value = 'first';");
    const file = await moduleFile(`const dep = require(${JSON.stringify(dep)}); exports.value = () => dep.value;`);
    expect(load(file, dir)).toEqual({ cache: "written", exports: { value: "first" } });
    expect(load(file, dir)).toEqual({ cache: "hit", exports: { value: "first" } });
    // The requiring file is unchanged, so its entry is the same one: the dependency's stale cache is not used.
    await writeFile(dep, "exports.value = 'other';");
    expect(load(file, dir)).toEqual({ cache: "written", exports: { value: "other" } });
    expect(load(file, dir)).toEqual({ cache: "hit", exports: { value: "other" } });
    expect(await readdir(dir)).toHaveLength(1);
  });

  it("a file with a dynamic import() still imports, on the run that writes the entry and the one that reads it (a vm.Script has no loader for it)", async () => {
    const dir = join(root, "cache-dynamic-import");
    const dep = join(root, `dep-${++n}.cjs`);
    // The shape of @aws/lambda-invoke-store under every SDK client: an import() at call time.
    await writeFile(dep, "exports.sep = async () => (await import('node:path')).sep;");
    const file = await moduleFile(`const dep = require(${JSON.stringify(dep)}); exports.plain = 'loaded'; exports.sep = dep.sep;`);
    const run = () => {
      const script = `
        import { requireWithCodeCache } from ${JSON.stringify(BUILT)};
        const r = requireWithCodeCache(${JSON.stringify(file)}, ${JSON.stringify(dir)});
        process.stdout.write(JSON.stringify({ cache: r.cache, sep: await r.exports.sep() }));`;
      const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8", timeout: 30_000 });
      if (r.status !== 0) throw new Error(`load failed (${r.status}): ${r.stderr}`);
      return JSON.parse(r.stdout) as { cache: string; sep: string };
    };
    expect(run()).toEqual({ cache: "written", sep: "/" });
    expect(run()).toEqual({ cache: "hit", sep: "/" });
  });

  it("keys entries by content: a file changed to the same length gets its own entry and runs its new code", async () => {
    const dir = join(root, "cache-b");
    const file = await moduleFile("exports.value = 'aaaa';");
    expect(load(file, dir)).toEqual({ cache: "written", exports: { value: "aaaa" } });
    await writeFile(file, "exports.value = 'bbbb';");
    expect(load(file, dir)).toEqual({ cache: "written", exports: { value: "bbbb" } });
    expect(load(file, dir)).toEqual({ cache: "hit", exports: { value: "bbbb" } });
    expect(await readdir(dir)).toHaveLength(2);
  });

  it("entries written under the CLI's V8 flags and without them do not evict each other (V8 rejects a cache made under other flags)", async () => {
    const dir = join(root, "cache-flags");
    const file = await moduleFile("exports.flags = 'same code';");
    const expected = { flags: "same code" };
    expect(load(file, dir)).toEqual({ cache: "written", exports: expected });
    expect(load(file, dir, { cliFlags: true })).toEqual({ cache: "written", exports: expected });
    // Before the flags were in the key, each of these was rejected and rewritten by the other.
    expect(load(file, dir)).toEqual({ cache: "hit", exports: expected });
    expect(load(file, dir, { cliFlags: true })).toEqual({ cache: "hit", exports: expected });
    expect(await readdir(dir)).toHaveLength(2);
  });

  it("a corrupt entry is rejected by V8: the file compiles as usual and the entry is rewritten", async () => {
    const dir = join(root, "cache-c");
    const file = await moduleFile("exports.ok = true;");
    load(file, dir);
    const [entry = ""] = await readdir(dir);
    await writeFile(join(dir, entry), "not a code cache");
    expect(load(file, dir)).toEqual({ cache: "written", exports: { ok: true } });
    expect(load(file, dir)).toEqual({ cache: "hit", exports: { ok: true } });
  });

  it("an entry of the right length with a damaged payload is never given to V8 (it would abort the process): compiled as usual, rewritten", async () => {
    const dir = join(root, "cache-torn");
    const file = await moduleFile("exports.torn = [1, 2, 3].map((x) => x * 2);");
    load(file, dir);
    const [entry = ""] = await readdir(dir);
    const bytes = await readFile(join(dir, entry));
    // A torn write (zeros) over the second half of the payload, the length unchanged.
    bytes.fill(0, Math.floor(bytes.length / 2));
    await writeFile(join(dir, entry), bytes);
    expect(load(file, dir)).toEqual({ cache: "written", exports: { torn: [2, 4, 6] } });
    expect(load(file, dir)).toEqual({ cache: "hit", exports: { torn: [2, 4, 6] } });
  });

  it("an intact entry whose payload is not ours (a code cache in the format before one entry held many files): compiled as usual, rewritten", async () => {
    const dir = join(root, "cache-format");
    const file = await moduleFile("exports.format = 'entry of files';");
    load(file, dir);
    const [entry = ""] = await readdir(dir);
    const payload = Buffer.from("a V8 code cache of one file, or any other bytes");
    await writeFile(join(dir, entry), Buffer.concat([createHash("sha256").update(payload).digest(), payload]));
    expect(load(file, dir)).toEqual({ cache: "written", exports: { format: "entry of files" } });
    expect(load(file, dir)).toEqual({ cache: "hit", exports: { format: "entry of files" } });
  });

  it("an entry is the payload's SHA-256 and the payload: unsealed gives the payload back only when they match", () => {
    const payload = Buffer.from("a code cache");
    const entry = Buffer.concat([createHash("sha256").update(payload).digest(), payload]);
    expect(unsealed(entry)?.toString()).toBe("a code cache");
    const flipped = Buffer.from(entry);
    flipped[flipped.length - 1] = (flipped[flipped.length - 1] ?? 0) ^ 1;
    expect(unsealed(flipped)).toBeUndefined();
    expect(unsealed(entry.subarray(0, 32))).toBeUndefined();
  });

  it("a module loaded through the cache has the module.paths require() would give it (bare names resolve the same)", async () => {
    const dir = join(root, "cache-paths");
    const file = await moduleFile(
      "exports.same = module.paths.length > 0 && JSON.stringify(module.paths) === JSON.stringify(require('node:module')._nodeModulePaths(__dirname));",
    );
    expect(load(file, dir)).toEqual({ cache: "written", exports: { same: true } });
    expect(load(file, dir)).toEqual({ cache: "hit", exports: { same: true } });
  });

  it("does not trust a folder others can write to: plain require, nothing read or written", async () => {
    const dir = join(root, "cache-shared");
    const file = await moduleFile("exports.shared = 1;");
    load(file, dir);
    await chmod(dir, 0o777);
    const [entry = ""] = await readdir(dir);
    await writeFile(join(dir, entry), "not a code cache");
    expect(load(file, dir)).toEqual({ cache: "plain", exports: { shared: 1 } });
    expect(await readdir(dir)).toEqual([entry]);
  });

  it("without a folder it is require()", async () => {
    const file = await moduleFile("exports.plain = 1;");
    expect(load(file, undefined)).toEqual({ cache: "plain", exports: { plain: 1 } });
  });

  it("a module that throws while loading throws the same error, and no entry is written for it", async () => {
    const dir = join(root, "cache-d");
    const file = await moduleFile("throw new Error('broken module');");
    expect(() => load(file, dir)).toThrow("broken module");
    expect(await readdir(dir)).toEqual([]);
  });
});

describe("the cache does not only grow", () => {
  const hex = (c: string) => c.repeat(64);
  /** A file (or folder) last written `ageMs` ago. */
  const aged = async (path: string, ageMs: number) => {
    const t = (Date.now() - ageMs) / 1000;
    await utimes(path, t, t);
  };

  it("a write removes cut writes' .tmp files, entries not written for STALE_ENTRY_MS and other Node versions' folders as old; nothing else", async () => {
    const base = join(root, "prune");
    const folder = join(base, `v8-${process.version}-${process.arch}`);
    const oldNode = join(base, "v8-v18.0.0-x64");
    const recentNode = join(base, "v8-v22.0.0-x64");
    const notOurs = join(base, "v8-notes");
    for (const d of [folder, oldNode, recentNode, notOurs]) await mkdir(d, { recursive: true, mode: 0o700 });
    const files: [string, number][] = [
      [join(folder, `${hex("a")}.bin.123.tmp`), STALE_TMP_MS + 5_000], // a cut write
      [join(folder, `${hex("b")}.bin.456.tmp`), 1_000], // a write under way in another process
      [join(folder, `${hex("c")}.bin`), STALE_ENTRY_MS + 60_000],
      [join(folder, `${hex("d")}.bin`), 60_000],
      [join(folder, "README"), STALE_ENTRY_MS * 2], // not a name the cache writes
      [join(oldNode, `${hex("e")}.bin`), STALE_ENTRY_MS * 2],
      [join(recentNode, `${hex("f")}.bin`), STALE_ENTRY_MS * 2],
      [join(notOurs, `${hex("g")}.bin`), STALE_ENTRY_MS * 2],
    ];
    for (const [f, age] of files) {
      await writeFile(f, "x", { mode: 0o600 });
      await aged(f, age);
    }
    await aged(oldNode, STALE_ENTRY_MS + 60_000);
    await aged(recentNode, 60_000);
    await aged(notOurs, STALE_ENTRY_MS * 2);

    const file = await moduleFile("exports.answer = 42;");
    expect(load(file, folder)).toEqual({ cache: "written", exports: { answer: 42 } });
    const kept = [`${hex("b")}.bin.456.tmp`, `${hex("d")}.bin`, "README"];
    const left = await readdir(folder);
    // What was kept, and the entry just written.
    expect(left.filter((f) => !kept.includes(f))).toEqual([expect.stringMatching(/^[0-9a-f]{64}\.bin$/)]);
    expect(kept.every((f) => left.includes(f))).toBe(true);
    expect((await readdir(base)).sort()).toEqual([`v8-${process.version}-${process.arch}`, "v8-notes", "v8-v22.0.0-x64"].sort());
    expect(await readdir(recentNode)).toEqual([`${hex("f")}.bin`]);
    expect(await readdir(notOurs)).toEqual([`${hex("g")}.bin`]);
    // A hit writes nothing, so it prunes nothing.
    expect(load(file, folder).cache).toBe("hit");
  });

  it("never throws: a folder that is missing or not a folder is left as it is", () => {
    expect(() => pruneCache(join(root, "no-such", "v8-v20.0.0-x64"), Date.now())).not.toThrow();
    expect(() => pruneCache(join(root, "mod-1.cjs"), Date.now())).not.toThrow();
  });
});

describe("compileCacheDir", () => {
  it("BLUEGREEN_CACHE_DIR, else XDG_CACHE_HOME/bluegreen, else ~/.cache/bluegreen; one folder per Node version; off with BLUEGREEN_COMPILE_CACHE=0", () => {
    const v = `v8-${process.version}-${process.arch}`;
    expect(compileCacheDir({ BLUEGREEN_CACHE_DIR: "/c" })).toBe(`/c/${v}`);
    expect(compileCacheDir({ XDG_CACHE_HOME: "/x" })).toBe(`/x/bluegreen/${v}`);
    expect(compileCacheDir({})).toMatch(new RegExp(`/\\.cache/bluegreen/${v}$`));
    expect(compileCacheDir({ BLUEGREEN_COMPILE_CACHE: "0", BLUEGREEN_CACHE_DIR: "/c" })).toBeUndefined();
  });
});
