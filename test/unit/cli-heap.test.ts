// The CLI process keeps V8's young generation at its initial size (src/cli/heap.ts): a probe loaded
// before the compiled CLI allocates 32 MB of live objects at exit and reports the new space's size.
// Without the CLI's flags the same probe sees it grow (the control), so the probe measures something.
// `status` runs without them (heap.ts says why).
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { CLI_V8_FLAGS, usesCliHeapFlags } from "../../src/cli/heap.js";

const PROBE = [
  'import v8 from "node:v8";',
  'process.on("exit", () => {',
  "  const keep = [];",
  "  for (let i = 0; i < 400_000; i++) keep.push({ i, s: `x${i}`, a: [i, i + 1] });",
  '  const space = v8.getHeapSpaceStatistics().find((s) => s.space_name === "new_space");',
  "  process.stderr.write(`new_space ${space.space_size} ${keep.length}\\n`);",
  "});",
].join("\n");

function newSpaceAtExit(script: string[]): number {
  const r = spawnSync(process.execPath, ["--import", `data:text/javascript,${encodeURIComponent(PROBE)}`, ...script], { encoding: "utf8", timeout: 30_000 });
  const m = /new_space (\d+) 400000/.exec(r.stderr);
  if (m?.[1] === undefined) throw new Error(`no probe line (exit ${r.status}): ${r.stderr}`);
  return Number(m[1]);
}

describe("the CLI's V8 heap settings", () => {
  it("names the young generation's growth factor and Liftoff-only wasm", () => {
    expect(CLI_V8_FLAGS).toEqual(["--semi-space-growth-factor=1", "--liftoff-only"]);
  });

  it("the compiled CLI's entry point applies them: the new space stays at 2 MB (a plain process grows it)", () => {
    const MB = 2 ** 20;
    expect(newSpaceAtExit(["dist/src/cli/main.js", "--version"])).toBeLessThanOrEqual(2 * MB);
    expect(newSpaceAtExit(["-e", "0"])).toBeGreaterThan(4 * MB);
  });

  it("status runs without them (no peak to keep down; Node's internals keep their code cache): its new space grows", () => {
    const MB = 2 ** 20;
    // An environment that does not exist: status stops at its configuration, after the entry point decided.
    expect(newSpaceAtExit(["dist/src/cli/main.js", "status", "nowhere", "--config-dir", "/nonexistent-bluegreen-config"])).toBeGreaterThan(4 * MB);
    expect(newSpaceAtExit(["dist/src/cli/main.js", "history", "nowhere", "--config-dir", "/nonexistent-bluegreen-config"])).toBeLessThanOrEqual(2 * MB);
    expect(usesCliHeapFlags("status")).toBe(false);
    expect(usesCliHeapFlags("release")).toBe(true);
    expect(usesCliHeapFlags(undefined)).toBe(true);
  });
});
