// The configuration's zod is loaded with require() through the V8 code cache (src/config/zod.ts),
// not as its 95 ES modules: a child process loads the compiled configuration module with a cache
// folder of its own and reports how many of zod's files are in require()'s cache and how zod was
// loaded. The second process compiles every zod file from the entry the first one wrote.
import { spawnSync } from "node:child_process";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const CONFIG = pathToFileURL("dist/src/config/index.js").href;
const ZOD = pathToFileURL("dist/src/config/zod.js").href;
let cacheDir: string;

function loadConfigModule(): { zodFiles: number; zodLoad: string } {
  const script = [
    'import { createRequire } from "node:module";',
    `await import(${JSON.stringify(CONFIG)});`,
    `const { zodLoad } = await import(${JSON.stringify(ZOD)});`,
    "const zodFiles = Object.keys(createRequire(import.meta.url).cache).filter((f) => f.includes('/node_modules/zod/')).length;",
    "process.stdout.write(JSON.stringify({ zodFiles, zodLoad }));",
  ].join("\n");
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
    encoding: "utf8",
    timeout: 30_000,
    env: { ...process.env, BLUEGREEN_CACHE_DIR: cacheDir, BLUEGREEN_COMPILE_CACHE: "1" },
  });
  if (r.status !== 0) throw new Error(`child exited ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout) as { zodFiles: number; zodLoad: string };
}

beforeAll(async () => {
  cacheDir = await mkdtemp(join(tmpdir(), "bluegreen-zod-cache-"));
});
afterAll(async () => {
  await rm(cacheDir, { recursive: true, force: true });
});

describe("the configuration's zod", () => {
  it("is loaded by require() (its CommonJS files are in require's cache), written to the code cache once and read from it after", async () => {
    const first = loadConfigModule();
    expect(first).toEqual({ zodFiles: expect.any(Number), zodLoad: "written" });
    expect(first.zodFiles).toBeGreaterThan(50);
    // One folder per Node version, holding one entry for all of zod's files.
    const [versionDir = ""] = await readdir(cacheDir);
    expect(await readdir(join(cacheDir, versionDir))).toHaveLength(1);
    expect(loadConfigModule()).toEqual({ zodFiles: first.zodFiles, zodLoad: "hit" });
    expect(await readdir(join(cacheDir, versionDir))).toHaveLength(1);
  });
});
