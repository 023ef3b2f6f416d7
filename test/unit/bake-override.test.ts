// review-s9 Questions: `--bake 0s` was accepted (the release then baked ~10 s on the evidence rule)
// while the file's rule is gates.bake >= gates.interval. The override obeys the same rule: exit 64
// naming it, before any prompt or remote call. The environment's AWS endpoint is a loopback port
// just closed, so a run that got past the check would fail with exit 1, never touch a sandbox.
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../fakes/cli-run.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "bluegreen-bake-override-"));
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const closedPort = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  // environments/local.yaml: gates.interval 1s, gates.bake 10s.
  const yaml = (await readFile("environments/local.yaml", "utf8")).replace("endpoint: http://127.0.0.1:4566", `endpoint: http://127.0.0.1:${closedPort}`);
  await mkdir(join(dir, "environments"));
  await writeFile(join(dir, "environments", "local.yaml"), yaml);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const RULE = (bake: string) => `--bake ${bake} is shorter than gates.interval (1s) of local; the bake must last at least one check; nothing was touched`;
const NEXT = "pass --bake 1s or longer, or leave --bake out to bake for gates.bake (10s)";

describe("--bake shorter than gates.interval", () => {
  it("release and plan refuse it with exit 64 naming the rule (0s and 500ms)", async () => {
    for (const [argv, bake] of [
      [["release", "local", "--image", "v2", "--bake", "0s"], "0s"],
      [["release", "local", "--image", "v2", "--bake", "500ms"], "500ms"],
      [["plan", "local", "--image", "v2", "--bake", "0s"], "0s"],
    ] as const) {
      const r = await runCli([...argv, "--config-dir", dir]);
      expect(r.code).toBe(64);
      expect(r.out).toBe("");
      expect(r.err).toContain(`${RULE(bake)}\n  next: ${NEXT}\n`);
    }
  });

  it("--json: the result line is outcome usage with the rule and the remedy", async () => {
    const r = await runCli(["release", "local", "--image", "v2", "--bake", "0s", "--json", "--config-dir", dir]);
    expect(r.code).toBe(64);
    expect(JSON.parse(r.out)).toEqual({ type: "result", command: "release", outcome: "usage", exitCode: 64, error: RULE("0s"), remedy: NEXT });
  });

  it("a --bake of at least one interval goes on to the run (here: AWS refuses, exit 1)", async () => {
    const r = await runCli(["plan", "local", "--image", "v2", "--bake", "1s", "--config-dir", dir]);
    expect(r.code).toBe(1);
    expect(r.err).not.toContain("shorter than gates.interval");
  });
});
