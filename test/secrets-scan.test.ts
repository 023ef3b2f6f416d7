// No secret ever reaches the terminal: the compiled CLI runs validate, plan, release --dry-run,
// release and status (all failing somewhere: AWS and Telegram point at a closed loopback port) with
// known fake secrets in its environment, and neither value may appear in stdout or stderr. Those
// plans stop at "cannot plan" (no AWS), so a whole plan (every host command: docker run argv,
// env-file lines, webhook URL) is scanned too, against a one-host sandbox world (review2-s9 L5).
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stopWorld } from "./helpers/assertions.js";
import { startTestWorld, type TestWorld, BOT_TOKEN as WORLD_BOT_TOKEN, WEBHOOK_SECRET as WORLD_WEBHOOK_SECRET } from "./helpers/sandbox-env.js";

const CLI = resolve("dist/src/cli/main.js");
const BOT_TOKEN = "987654321:TEST-scan-bot-token-zzzzzzzzzzzzzzzzzzzzzz";
const WEBHOOK_SECRET = "TEST-scan-webhook-secret-yyyyyyyyyyyy";
const SECRETS = [BOT_TOKEN, WEBHOOK_SECRET, BOT_TOKEN.split(":")[1] ?? ""];

let dir: string;
let closedPort: number;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const address = server.address();
  await new Promise<void>((ok) => server.close(() => ok()));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npx tsc -p tsconfig.json\` (npm test does) first`);
  closedPort = await freePort();
  dir = await mkdtemp(join(tmpdir(), "bluegreen-secrets-scan-"));
  await mkdir(join(dir, "environments"));
  const local = (await readFile("environments/local.yaml", "utf8"))
    .replace("endpoint: http://127.0.0.1:4566", `endpoint: http://127.0.0.1:${closedPort}`)
    .replaceAll("http://127.0.0.1:8081", `http://127.0.0.1:${closedPort}`);
  await writeFile(join(dir, "environments/local.yaml"), local);
  // The same file under another name, with a webhook secret Telegram would refuse (the error must not quote it).
  await writeFile(
    join(dir, "environments/broken.yaml"),
    local.replace("environment: local", "environment: broken").replaceAll("BLUEGREEN_SANDBOX_WEBHOOK_SECRET", "BAD_SECRET"),
  );
  for (const name of ["production", "staging"]) await writeFile(join(dir, `environments/${name}.yaml`), await readFile(`environments/${name}.yaml`, "utf8"));
}, 60_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Run {
  code: number | null;
  out: string;
  err: string;
}

function run(args: string[]): Promise<Run> {
  const env = {
    PATH: process.env.PATH ?? "",
    HOME: dir,
    AWS_ACCESS_KEY_ID: "TESTAKIDEXAMPLE",
    AWS_SECRET_ACCESS_KEY: "TESTsecretkeyexample",
    AWS_EC2_METADATA_DISABLED: "true",
    BLUEGREEN_SANDBOX_BOT_TOKEN: BOT_TOKEN,
    BLUEGREEN_SANDBOX_WEBHOOK_SECRET: WEBHOOK_SECRET,
    BAD_SECRET: `${WEBHOOK_SECRET} with spaces!`,
    TELEGRAM_BOT_TOKEN: BOT_TOKEN,
    TELEGRAM_WEBHOOK_SECRET: WEBHOOK_SECRET,
    TELEGRAM_STAGING_BOT_TOKEN: "887654321:TEST-scan-staging-token-xxxxxxxxxxxxxxxx",
    TELEGRAM_STAGING_WEBHOOK_SECRET: "TEST-scan-staging-secret-wwwwwwww",
    BOT_SSH_KEY_PATH: "/nonexistent/bot_ed25519",
  };
  return new Promise((done) => {
    execFile(process.execPath, [CLI, ...args, "--config-dir", dir], { cwd: dir, env, timeout: 90_000, encoding: "utf8" }, (error, out, err) => {
      const code = error === null ? 0 : typeof error.code === "number" ? error.code : null;
      done({ code, out, err });
    });
  });
}

const INVOCATIONS: [string, string[], number][] = [
  ["validate all", ["validate"], 64],
  ["validate all --json", ["validate", "--json", "--verbose"], 64],
  ["validate local", ["validate", "local"], 0],
  ["validate broken", ["validate", "broken"], 64],
  ["plan local", ["plan", "local", "--image", "v2", "--verbose"], 1],
  ["plan local --json", ["plan", "local", "--image", "v2", "--json"], 1],
  ["release --dry-run", ["release", "local", "--image", "v2", "--dry-run"], 1],
  ["release with the token as image", ["release", "local", "--image", BOT_TOKEN], 64],
  ["release with the webhook secret as image", ["release", "local", "--image", `other/${WEBHOOK_SECRET}:v1`, "--json"], 64],
  ["release that cannot reach AWS", ["release", "local", "--image", "v2", "--verbose"], -1],
  ["status that cannot reach AWS", ["status", "local", "--json"], -1],
  ["release of a broken file", ["release", "broken", "--image", "v2"], 64],
];

describe.concurrent("secrets never reach the output", () => {
  it.each(INVOCATIONS)("%s", async (_name, args, wantCode) => {
    const r = await run(args);
    if (wantCode >= 0) expect(r.code, r.err).toBe(wantCode);
    else expect(r.code, r.err).not.toBe(0);
    expect(r.out.length + r.err.length).toBeGreaterThan(0);
    for (const secret of SECRETS) {
      expect(r.out).not.toContain(secret);
      expect(r.err).not.toContain(secret);
    }
  });
});

describe("secrets never reach a whole plan's output (the sandbox world's token and webhook secret)", { timeout: 120_000 }, () => {
  let t: TestWorld | undefined;
  beforeAll(async () => {
    t = await startTestWorld({ firstHost: 180, hosts: 1 });
  }, 120_000);
  afterAll(async () => {
    if (t !== undefined) await stopWorld(t);
  });
  const worldSecrets = [WORLD_BOT_TOKEN, WORLD_WEBHOOK_SECRET, WORLD_BOT_TOKEN.split(":")[1] ?? ""];

  it.each([
    ["plan --verbose", ["plan", "itest", "--image", "v2", "--verbose"]],
    ["plan --json", ["plan", "itest", "--image", "v2", "--json"]],
    ["release --dry-run", ["release", "itest", "--image", "v2", "--dry-run"]],
  ])("%s: the plan with its host commands, exit 0, and no secret", async (_name, args) => {
    const r = await (t as TestWorld).cli(args);
    expect(r.code, r.stderr).toBe(0);
    // The whole plan was shown: the staging host commands, env file and webhook URL included.
    expect(r.stdout).toContain("docker");
    expect(r.stdout).toContain("--env-file");
    expect(r.stdout).toContain("/telegram/");
    for (const secret of worldSecrets) {
      expect(r.stdout).not.toContain(secret);
      expect(r.stderr).not.toContain(secret);
    }
  });
});
