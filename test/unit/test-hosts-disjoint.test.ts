// Test files run in parallel (vitest.config.ts), and a sandbox world's bots listen on fixed ports
// (5001/5002) of its host addresses 127.<net>.1.<firstHost..>: two files with overlapping host
// numbers would take each other's ports. This reads every test file's worlds and says which clash.
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO } from "../helpers/sandbox-env.js";

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return testFiles(path);
    return e.name.endsWith(".test.ts") ? [path] : [];
  });
}

/** Host numbers a file's worlds use: startTestWorld/startSandboxWorld options, and testHost(n). */
function hostNumbers(source: string): number[] {
  const constants = new Map([...source.matchAll(/const ([A-Z_]+) = (\d+);/g)].map((m) => [m[1] as string, Number(m[2])]));
  const value = (text: string | undefined, fallback: number) =>
    text === undefined ? fallback : /^\d+$/.test(text) ? Number(text) : (constants.get(text) ?? fallback);
  const out: number[] = [];
  for (const m of source.matchAll(/start(?:Test|Sandbox)World\(\{([^)]*)\}/g)) {
    const opts = m[1] ?? "";
    const first = value(/firstHost: (\w+)/.exec(opts)?.[1], 1);
    const hosts = value(/\bhosts: (\w+)/.exec(opts)?.[1], 2);
    for (let i = 0; i < hosts; i += 1) out.push(first + i);
  }
  for (const m of source.matchAll(/testHost\((\d+)\)/g)) out.push(Number(m[1]));
  return [...new Set(out)];
}

describe("test files' sandbox hosts", () => {
  it("reads worlds and fixed hosts", () => {
    expect(hostNumbers("startTestWorld({ firstHost: 30, transport: 'ssh' }); testHost(7)")).toEqual([30, 31, 7]);
    expect(hostNumbers("const HOSTS = 3;\nstartTestWorld({ firstHost: 160, hosts: HOSTS })")).toEqual([160, 161, 162]);
    expect(hostNumbers("startTestWorld({ hosts: 0 })")).toEqual([]);
  });

  it("no two test files share a host number", () => {
    const owner = new Map<number, string>();
    const clashes: string[] = [];
    for (const file of testFiles(join(REPO, "test"))) {
      const name = relative(REPO, file);
      if (name === "test/unit/test-hosts-disjoint.test.ts") continue; // its own examples above
      for (const n of hostNumbers(readFileSync(file, "utf8"))) {
        const other = owner.get(n);
        if (other !== undefined && other !== name) clashes.push(`${name} and ${other} both use host ${n}: pick a free firstHost`);
        else owner.set(n, name);
      }
    }
    expect(clashes).toEqual([]);
  });
});
