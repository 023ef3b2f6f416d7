// review-s9 F6: `plan` that cannot read the world (AWS refusing connections, no AWS credentials)
// planned a "first release" ("assuming nothing is live") and exited 0, so a CI step gating on it
// passed on a guess. Now there is no plan: exit 1 with the cause and its remedy, as `status` exits
// on the same failure, and --json's result line says outcome "failed". Nothing leaves 127.0.0.0/8:
// the refused endpoint is a loopback port just closed, and the credential chain is given no file
// and no instance metadata to try.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../fakes/cli-run.js";
import { BASE_ENV, variant } from "../fixtures/broken-configs.js";
import { writeReferencedFiles } from "../fixtures/referenced-files.js";

let root: string;
let closedPort: number;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "bluegreen-plan-unobservable-"));
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  closedPort = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** No credentials anywhere the SDK would look on this machine, and no instance metadata call. */
const NO_AWS = {
  AWS_EC2_METADATA_DISABLED: "true",
  AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/credentials",
  AWS_CONFIG_FILE: "/nonexistent/config",
};

async function configDir(name: string, yaml: string): Promise<string> {
  const dir = join(root, name);
  await mkdir(join(dir, "environments"), { recursive: true });
  await writeFile(join(dir, "environments", "production.yaml"), yaml);
  await writeReferencedFiles(join(dir, "environments"));
  return dir;
}

describe("plan that cannot read the world", () => {
  it("AWS refuses the connection: no plan, exit 1 with the cause and the remedy (not 0 and a 'first release')", async () => {
    const dir = await configDir("refused", variant(["  region: ap-southeast-2\n", `  region: ap-southeast-2\n  endpoint: http://127.0.0.1:${closedPort}\n`]));
    const r = await runCli(["plan", "production", "--image", "v2", "--config-dir", dir], { ...BASE_ENV, ...NO_AWS });
    expect(r.code).toBe(1);
    expect(r.out).toBe("");
    // connectCtx asks EC2 and ELBv2 at once and names EC2's refusal when both refuse (the same cause).
    expect(r.err).toContain("cannot plan a release to production: the live colour, the hosts and the listener could not be read (");
    expect(r.err).toContain(
      `ECONNREFUSED 127.0.0.1:${closedPort}); a plan without them would be a guess (the colour to stage on, what a failure goes back to); nothing was changed`,
    );
    expect(r.err).toMatch(/\n {2}next: \S/);
    expect(r.err).not.toContain("first release");
    expect(r.err).not.toContain("assuming nothing is live");
  });

  it("no AWS credentials, --json: the result line is outcome failed, exit 1, and stdout holds nothing else", async () => {
    const dir = await configDir("no-credentials", BASE_YAML_NO_ENDPOINT);
    const r = await runCli(["plan", "production", "--image", "v2", "--config-dir", dir, "--json"], { ...BASE_ENV, ...NO_AWS });
    expect(r.code).toBe(1);
    const lines = r.out.trim().split("\n");
    expect(lines).toHaveLength(1);
    const result = JSON.parse(lines[0] ?? "") as Record<string, unknown>;
    expect(result).toMatchObject({ type: "result", command: "plan", outcome: "failed", exitCode: 1 });
    expect(String(result.error)).toMatch(
      /^cannot plan a release to production: the live colour, the hosts and the listener could not be read \(.*credentials/i,
    );
    expect(result).not.toHaveProperty("steps");
  });
});

const BASE_YAML_NO_ENDPOINT = variant();
