// `bluegreen validate` through the CLI: every broken file of the fixture exits 64 with its exact
// error lines on stderr; the repository's own environment files are valid; --json is one result line.
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../fakes/cli-run.js";
import { BASE_ENV, BASE_YAML, brokenConfigs, FILE } from "../fixtures/broken-configs.js";
import { writeReferencedFiles } from "../fixtures/referenced-files.js";

let root: string;
let n = 0;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "bluegreen-cli-validate-"));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A fresh --config-dir holding the given environments/<file> texts. */
async function configDir(files: Record<string, string>): Promise<string> {
  const dir = join(root, `case-${n++}`);
  await mkdir(join(dir, "environments"), { recursive: true });
  for (const [file, text] of Object.entries(files)) await writeFile(join(dir, file), text);
  // The fixture names ./id_ed25519 and ./known_hosts next to the YAML: validate reads them too.
  await writeReferencedFiles(join(dir, "environments"));
  return dir;
}

// The fixture names files relative to the folder holding environments/ ("environments/production.yaml");
// validate names them under --config-dir.
const relocate = (dir: string, line: string): string => line.replaceAll("environments/", `${dir}/environments/`);

const FAKE_ENV: Record<string, string> = {
  TELEGRAM_BOT_TOKEN: "123456789:TEST-bot-token-aaaaaaaaaaaaaaaaaaaaaaaaa",
  TELEGRAM_WEBHOOK_SECRET: "TEST-webhook-secret-production",
  TELEGRAM_STAGING_BOT_TOKEN: "223456789:TEST-bot-token-staging-bbbbbbbbbbbbbbb",
  TELEGRAM_STAGING_WEBHOOK_SECRET: "TEST-webhook-secret-staging",
  BOT_SSH_KEY_PATH: "/home/ci/.ssh/bot_ed25519",
};

describe("validate: broken environment files", () => {
  it("the fixture's base file is valid through the CLI", async () => {
    const dir = await configDir({ [FILE]: BASE_YAML });
    expect(await runCli(["validate", "production", "--config-dir", dir], BASE_ENV)).toEqual({
      code: 0,
      out: `✔ production: ${dir}/${FILE} is valid\n`,
      err: "",
    });
  });

  it.each(brokenConfigs.map((c) => [c.name, c] as const))("%s", async (_name, c) => {
    const files: Record<string, string> = { [FILE]: c.yaml };
    if (c.other !== undefined) files[c.other.file] = c.other.yaml;
    const dir = await configDir(files);
    const env = { ...(c.env ?? BASE_ENV), ...(c.other?.env ?? {}) };
    const argv = c.other === undefined ? ["validate", "production", "--config-dir", dir] : ["validate", "--config-dir", dir];
    const r = await runCli(argv, env);
    expect(r.code).toBe(64);
    const lines = r.err.split("\n");
    for (const e of c.errors) {
      // Multi-line errors (YAML excerpts) are printed indented line by line.
      for (const part of relocate(dir, e).split("\n")) expect(lines, e).toContain(`  ${part}`);
    }
    const failing = c.other === undefined ? `${dir}/${FILE}` : `${dir}/${c.other.file}`;
    expect(lines).toContain(`✖ ${c.other === undefined ? "production" : "staging"}: ${failing}`);
  });
});

describe("validate: the cross-environment rules hold for every pair, not only production and staging (review s9, F2)", () => {
  // local-polling as it shipped before: local's bot token. Its polling release deleted local's webhook.
  const sharedBot = async (): Promise<Record<string, string>> => ({
    "environments/local.yaml": await readFile("environments/local.yaml", "utf8"),
    "environments/local-polling.yaml": (await readFile("environments/local-polling.yaml", "utf8")).replaceAll(
      "BLUEGREEN_SANDBOX_POLLING_BOT_TOKEN",
      "BLUEGREEN_SANDBOX_BOT_TOKEN",
    ),
  });
  const botTokenLine = async (): Promise<number> => (await readFile("environments/local-polling.yaml", "utf8")).split("\n").indexOf("telegram:") + 2;
  const TOKEN_ERROR = async (dir: string): Promise<string> =>
    `  telegram.botToken: uses \${env:BLUEGREEN_SANDBOX_BOT_TOKEN}, the same bot token as local (${dir}/environments/local.yaml); give local-polling its own bot and token variable (${dir}/environments/local-polling.yaml:${await botTokenLine()}:3)`;

  it("all files: two sandbox environments on one bot token exit 64, naming both files, the key and the fix", async () => {
    const dir = await configDir(await sharedBot());
    const r = await runCli(["validate", "--config-dir", dir], FAKE_ENV);
    expect(r.code).toBe(64);
    expect(r.out).toBe(`✔ local: ${dir}/environments/local.yaml is valid\n`);
    expect(r.err.split("\n")).toEqual([`✖ local-polling: ${dir}/environments/local-polling.yaml`, await TOKEN_ERROR(dir), ""]);
  });

  it("named files: the same pair given by name fails the same way; each file alone is valid", async () => {
    const dir = await configDir(await sharedBot());
    const r = await runCli(["validate", "local", "local-polling", "--config-dir", dir], FAKE_ENV);
    expect(r.code).toBe(64);
    expect(r.err.split("\n")).toContain(await TOKEN_ERROR(dir));
    expect((await runCli(["validate", "local-polling", "--config-dir", dir], FAKE_ENV)).code).toBe(0);
  });

  it("a shared listener, target groups and webhook URL are reported too, against the second file", async () => {
    const local = await readFile("environments/local.yaml", "utf8");
    const twin = local
      .replace("environment: local\n", "environment: local-twin\n")
      .replaceAll("BLUEGREEN_SANDBOX_BOT_TOKEN", "BLUEGREEN_SANDBOX_CANARY_BOT_TOKEN");
    const dir = await configDir({ "environments/local.yaml": local, "environments/local-twin.yaml": twin });
    const r = await runCli(["validate", "--config-dir", dir, "--json"], FAKE_ENV);
    expect(r.code).toBe(64);
    const result = JSON.parse(r.out) as { environments: { name: string; ok: boolean; errors: string[] }[] };
    expect(result.environments.map((e) => [e.name, e.ok])).toEqual([
      ["local", true],
      ["local-twin", false],
    ]);
    const errors = result.environments[1]?.errors ?? [];
    expect(errors.map((e) => e.split(":")[0])).toEqual([
      "telegram.webhook.url",
      "loadBalancer.listener",
      "colours.blue.targetGroup",
      "colours.green.targetGroup",
    ]);
    for (const e of errors) expect(e).toContain(`local (${dir}/environments/local.yaml)`);
    expect(errors[1]).toContain("give local-twin its own load balancer");
  });
});

describe("validate: the repository's environment files", () => {
  // A copy of environments/ with the files production and staging name (known_hosts, the webhook
  // certificate, the SSH key behind BOT_SSH_KEY_PATH): validate checks that they exist and parse.
  let repo = "";
  beforeAll(async () => {
    repo = join(root, "repo");
    await mkdir(join(repo, "environments"), { recursive: true });
    for (const f of await readdir("environments")) await copyFile(join("environments", f), join(repo, "environments", f));
    FAKE_ENV.BOT_SSH_KEY_PATH = (await writeReferencedFiles(join(repo, "environments"))).key;
  });
  it("all four are valid with fake secrets", async () => {
    const r = await runCli(["validate", "--config-dir", repo], FAKE_ENV);
    expect(r).toEqual({
      code: 0,
      out: ["local", "local-canary", "local-polling", "production", "staging"].map((n) => `✔ ${n}: ${repo}/environments/${n}.yaml is valid\n`).join(""),
      err: "",
    });
  });

  it("--json prints one result line", async () => {
    const r = await runCli(["validate", "production", "staging", "--config-dir", repo, "--json"], FAKE_ENV);
    expect(r.code).toBe(0);
    expect(r.err).toBe("");
    const lines = r.out.split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[1]).toBe("");
    expect(JSON.parse(lines[0] ?? "")).toEqual({
      type: "result",
      command: "validate",
      outcome: "valid",
      exitCode: 0,
      environments: [
        { name: "production", file: `${repo}/environments/production.yaml`, ok: true, errors: [] },
        { name: "staging", file: `${repo}/environments/staging.yaml`, ok: true, errors: [] },
      ],
    });
  });

  it("--json of an invalid file lists its errors, exit 64", async () => {
    const r = await runCli(["validate", "production", "--config-dir", repo, "--json"], { ...FAKE_ENV, TELEGRAM_BOT_TOKEN: "" });
    expect(r.code).toBe(64);
    const result = JSON.parse(r.out) as { outcome: string; exitCode: number; environments: { ok: boolean; errors: string[] }[] };
    expect(r.out.trim().split("\n")).toHaveLength(1);
    expect(result.outcome).toBe("invalid");
    expect(result.exitCode).toBe(64);
    expect(result.environments[0]?.ok).toBe(false);
    expect(result.environments[0]?.errors.length).toBeGreaterThan(0);
    expect(result.environments[0]?.errors.every((e) => e.includes("TELEGRAM_BOT_TOKEN"))).toBe(true);
  });

  it("an empty config dir is invalid", async () => {
    const dir = await configDir({});
    expect(await runCli(["validate", "--config-dir", dir])).toEqual({ code: 64, out: "", err: `no environment files in ${dir}/environments\n` });
  });
});
