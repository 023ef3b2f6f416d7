// With hosts.ssh.transport: local the "host" is this machine, and a relative container.envFileDir or
// lock.dir used to resolve against the caller's current folder (review s9, F7): `--config-dir` from
// another folder took another lock (a second release ran concurrently) and read another history.
// They now resolve against the YAML's folder, as the referenced files do; absolute paths are kept,
// and over SSH a relative path is still refused.
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadEnvironment } from "../../src/config/index.js";
import { settingsFromConfig } from "../../src/orchestrator/settings-from-config.js";

const ENV = {
  BLUEGREEN_SANDBOX_BOT_TOKEN: "323456789:TEST-bot-token-sandbox-ccccccccccccccc",
  BLUEGREEN_SANDBOX_WEBHOOK_SECRET: "TEST-webhook-secret-sandbox",
};
let root = "";
let project = "";

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "bluegreen-local-paths-"));
  project = join(root, "project");
  await mkdir(join(project, "environments"), { recursive: true });
  await copyFile("environments/local.yaml", join(project, "environments", "local.yaml"));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function load(configDir: string, name = "local") {
  const r = await loadEnvironment(name, { configDir, env: ENV });
  if (!r.ok) throw new Error(r.errors.join("\n"));
  return r.config;
}

describe("relative envFileDir and lock.dir with transport: local", () => {
  it("the shipped local.yaml keeps the sandbox's state in the project's .bluegreen/, whatever the current folder", async () => {
    const config = await load(project);
    expect(process.cwd()).not.toBe(project);
    expect(config.container.envFileDir).toBe(join(project, ".bluegreen", "sandbox", "env"));
    expect(config.lock.dir).toBe(join(project, ".bluegreen", "sandbox", "lock"));
    // The same file from the repository's folder and through --config-dir: one lock, one history.
    const here = await load(process.cwd());
    expect(here.lock.dir).toBe(resolve(".bluegreen", "sandbox", "lock"));
    const settings = await settingsFromConfig(config);
    expect(settings.lock.dir).toBe(join(project, ".bluegreen", "sandbox", "lock"));
    expect(settings.historyFile).toBe(join(project, ".bluegreen", "sandbox", "env", "local", "history.ndjson"));
  });

  it("absolute paths are kept as written; a path given by file resolves against that file's folder", async () => {
    const text = (await readFile("environments/local.yaml", "utf8"))
      .replace(/ {2}envFileDir: [^\n]*\n/, "  envFileDir: /var/tmp/bg-env\n")
      .replace(/ {2}dir: \.\.\/\.bluegreen\/sandbox\/lock[^\n]*\n/, "  dir: state/lock\n");
    const other = join(root, "elsewhere");
    await mkdir(other, { recursive: true });
    const file = join(other, "local.yaml");
    await writeFile(file, text);
    const r = await loadEnvironment(file, { env: ENV });
    if (!r.ok) throw new Error(r.errors.join("\n"));
    expect(r.config.container.envFileDir).toBe("/var/tmp/bg-env");
    expect(r.config.lock.dir).toBe(join(other, "state", "lock"));
  });

  it("over SSH a relative path is still refused (it would depend on the login's folder)", async () => {
    const text = (await readFile("environments/local.yaml", "utf8")).replace(
      "transport: local",
      "transport: ssh\n    user: ubuntu\n    privateKey: ./id_ed25519",
    );
    const dir = join(root, "ssh");
    await mkdir(join(dir, "environments"), { recursive: true });
    await writeFile(join(dir, "environments", "local.yaml"), text);
    const r = await loadEnvironment("local", { configDir: dir, env: ENV });
    expect(r.ok).toBe(false);
    const errors = r.ok ? [] : r.errors.join("\n");
    expect(errors).toContain("container.envFileDir: must be an absolute path on the host (starting with /)");
    expect(errors).toContain("lock.dir: must be an absolute path on the host (starting with /)");
  });
});
