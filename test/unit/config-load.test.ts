// Loading by name and by path, defaults, derived values and secret handling.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { homedir, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listEnvironments, loadEnvironment, loadEnvironmentText, sourcePosition, webhookUrlFor } from "../../src/config/index.js";
import { hideExcerpts } from "../../src/config/yaml-errors.js";

const TOKEN = "123456789:TEST-bot-token-aaaaaaaaaaaaaaaaaaaaaaaaa";
const FINGERPRINT = `SHA256:${"TESTfingerprint".padEnd(43, "A")}`;
const MINIMAL = `environment: minimal
aws: { region: ap-southeast-2 }
loadBalancer: { listener: { loadBalancer: bot-alb, port: 443 } }
colours:
  blue: { targetGroup: bot-blue, hostPort: 5001 }
  green: { targetGroup: bot-green, hostPort: 5002 }
hosts:
  static: [{ address: 10.0.1.5, instanceId: i-0123456789abcdef0 }]
  ssh: { agent: true, hostKeyFingerprint: ${FINGERPRINT} }
container: { name: bot, image: bot, port: 5000, memoryLimit: 400m }
telegram:
  botToken: \${env:TELEGRAM_BOT_TOKEN}
  webhook: { url: "https://bot.example.com/telegram/{colour}" }
`;

describe("loadEnvironmentText", () => {
  it("fills every default", () => {
    const result = loadEnvironmentText(MINIMAL, "/srv/bot/environments/minimal.yaml", { TELEGRAM_BOT_TOKEN: TOKEN });
    expect(result).toEqual({
      ok: true,
      file: "/srv/bot/environments/minimal.yaml",
      secrets: [TOKEN],
      config: {
        environment: "minimal",
        protected: false,
        aws: { region: "ap-southeast-2" },
        loadBalancer: { listener: { loadBalancer: "bot-alb", port: 443 } },
        colours: { blue: { targetGroup: "bot-blue", hostPort: 5001 }, green: { targetGroup: "bot-green", hostPort: 5002 } },
        hosts: {
          static: [{ address: "10.0.1.5", instanceId: "i-0123456789abcdef0" }],
          address: "private",
          ssh: { transport: "ssh", user: "ec2-user", port: 22, agent: true, hostKeyFingerprint: FINGERPRINT, connectTimeout: 10_000 },
        },
        container: {
          name: "bot",
          image: "bot",
          port: 5000,
          memoryLimit: 400 * 1024 * 1024,
          restartPolicy: "unless-stopped",
          stopTimeout: 30_000,
          env: {},
          secrets: {},
          envFileDir: "/var/lib/bluegreen",
          health: { path: "/health", expectStatus: 200, timeout: 2000 },
        },
        telegram: {
          botToken: TOKEN,
          apiBase: "https://api.telegram.org",
          mode: "webhook",
          webhook: { url: "https://bot.example.com/telegram/{colour}", maxConnections: 40, dropPendingUpdates: false },
        },
        gates: {
          interval: 5000,
          healthyThreshold: 3,
          timeout: 120_000,
          bake: 1_800_000,
          maxPendingUpdates: 100,
          maxMemory: 400 * 1024 * 1024,
          telegramMisses: 3,
          bakeEvidence: 3,
          settle: 10_000,
          smokeUpdates: [],
          alarms: [],
        },
        rollout: { keepPreviousWarm: 3_600_000, hostConcurrency: 16, strategy: { kind: "all-at-once" } },
        lock: { lease: 900_000, dir: "/var/lock/bluegreen" },
        rehearse: { settle: 20_000 },
        secretRefs: { "telegram.botToken": "TELEGRAM_BOT_TOKEN" },
      },
    });
  });

  it("fills {colour} per colour", () => {
    const result = loadEnvironmentText(MINIMAL, "minimal.yaml", { TELEGRAM_BOT_TOKEN: TOKEN });
    if (!result.ok) throw new Error(result.errors.join("\n"));
    expect(webhookUrlFor(result.config, "blue")).toBe("https://bot.example.com/telegram/blue");
    expect(webhookUrlFor(result.config, "green")).toBe("https://bot.example.com/telegram/green");
  });

  it("resolves file paths against the YAML file, ~ against the home folder, and a key path from a variable against the current folder", () => {
    const text = MINIMAL.replace("ssh: { agent: true, hostKeyFingerprint", "ssh: { privateKey: ~/.ssh/bot, hostKeyFingerprint")
      .replace(
        'webhook: { url: "https://bot.example.com/telegram/{colour}" }',
        'webhook: { url: "https://bot.example.com/telegram/{colour}", certificate: ../certs/hook.pem }',
      )
      .concat("gates: { smokeUpdates: [./smoke/start.json, /abs/help.json] }\n");
    const result = loadEnvironmentText(text, "/srv/bot/environments/minimal.yaml", { TELEGRAM_BOT_TOKEN: TOKEN });
    if (!result.ok) throw new Error(result.errors.join("\n"));
    expect(result.config.hosts.ssh.privateKey).toBe(join(homedir(), ".ssh/bot"));
    expect(result.config.telegram.webhook?.certificate).toBe("/srv/bot/certs/hook.pem");
    expect(result.config.gates.smokeUpdates).toEqual(["/srv/bot/environments/smoke/start.json", "/abs/help.json"]);

    const fromEnv = loadEnvironmentText(text.replace("privateKey: ~/.ssh/bot", 'privateKey: "${env:BOT_KEY}"'), "/srv/x.yaml", {
      TELEGRAM_BOT_TOKEN: TOKEN,
      BOT_KEY: "keys/bot",
    });
    if (!fromEnv.ok) throw new Error(fromEnv.errors.join("\n"));
    expect(fromEnv.config.hosts.ssh.privateKey).toBe(resolve("keys/bot"));
    expect(fromEnv.secrets).toEqual([TOKEN]);
  });

  it("lists each secret value once, in file order, and keeps key paths out of the list", () => {
    const text = MINIMAL.replace(
      "container: { name: bot, image: bot, port: 5000, memoryLimit: 400m }",
      'container:\n  name: bot\n  image: bot\n  port: 5000\n  memoryLimit: 400m\n  secrets: { TELEGRAM_BOT_TOKEN: "${env:TELEGRAM_BOT_TOKEN}", DB_PASSWORD: "${env:DB_PASSWORD}" }',
    ).replace(
      'webhook: { url: "https://bot.example.com/telegram/{colour}" }',
      'webhook: { url: "https://bot.example.com/telegram/{colour}", secretToken: "${env:HOOK_SECRET}" }',
    );
    const env = { TELEGRAM_BOT_TOKEN: TOKEN, DB_PASSWORD: "TEST-db-password", HOOK_SECRET: "TEST-hook-secret" };
    const result = loadEnvironmentText(text, "minimal.yaml", env);
    if (!result.ok) throw new Error(result.errors.join("\n"));
    expect(result.secrets).toEqual([TOKEN, "TEST-hook-secret", "TEST-db-password"]);
    expect(result.config.container.secrets).toEqual({ TELEGRAM_BOT_TOKEN: TOKEN, DB_PASSWORD: "TEST-db-password" });
  });

  it("accepts a plain-http webhook on any port when telegram.apiBase is a loopback emulator", () => {
    const text = MINIMAL.replace(
      'webhook: { url: "https://bot.example.com/telegram/{colour}" }',
      'apiBase: http://127.0.0.1:8081\n  webhook: { url: "http://127.0.0.1:8080/telegram/{colour}" }',
    );
    expect(loadEnvironmentText(text, "minimal.yaml", { TELEGRAM_BOT_TOKEN: TOKEN }).ok).toBe(true);
  });

  it("remembers where each key came from", () => {
    const result = loadEnvironmentText(MINIMAL, "environments/minimal.yaml", { TELEGRAM_BOT_TOKEN: TOKEN });
    if (!result.ok) throw new Error(result.errors.join("\n"));
    expect(sourcePosition(result.config, ["telegram", "botToken"])).toBe("environments/minimal.yaml:12:3");
    expect(sourcePosition(result.config, ["colours", "green", "hostPort"])).toBe("environments/minimal.yaml:6:36");
    expect(sourcePosition({ ...result.config }, ["telegram"])).toBeUndefined();
  });

  it("does not check the environment name unless loaded by name", () => {
    expect(loadEnvironmentText(MINIMAL, "somewhere/else.yaml", { TELEGRAM_BOT_TOKEN: TOKEN }).ok).toBe(true);
  });
});

describe("loadEnvironment and listEnvironments", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "bluegreen-config-"));
    await mkdir(join(dir, "environments"));
    await writeFile(join(dir, "environments", "minimal.yaml"), MINIMAL);
    await writeFile(join(dir, "environments", "other.yml"), MINIMAL.replace("environment: minimal", "environment: other"));
    await writeFile(join(dir, "environments", "renamed.yaml"), MINIMAL);
    await writeFile(join(dir, "environments", "notes.txt"), "not an environment");
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const env = { TELEGRAM_BOT_TOKEN: TOKEN };

  it("loads a name from <configDir>/environments", async () => {
    const result = await loadEnvironment("minimal", { configDir: dir, env });
    expect(result.ok).toBe(true);
    expect(result.file).toBe(join(dir, "environments", "minimal.yaml"));
  });

  it("falls back to .yml", async () => {
    const result = await loadEnvironment("other", { configDir: dir, env });
    expect(result.ok).toBe(true);
    expect(result.file).toBe(join(dir, "environments", "other.yml"));
  });

  it("uses a .yaml path as is, without the name rule", async () => {
    const result = await loadEnvironment(join(dir, "environments", "renamed.yaml"), { env });
    expect(result.ok).toBe(true);
  });

  it("applies the name rule when loaded by name", async () => {
    const file = join(dir, "environments", "renamed.yaml");
    expect(await loadEnvironment("renamed", { configDir: dir, env })).toEqual({
      ok: false,
      file,
      errors: [`environment: says minimal but the file is renamed.yaml; make them match so a release goes where its name says (${file}:1:1)`],
    });
  });

  it("names the known environments when the file is missing", async () => {
    const file = join(dir, "environments", "prod.yaml");
    expect(await loadEnvironment("prod", { configDir: dir, env })).toEqual({
      ok: false,
      file,
      errors: [`${file}: no such environment file (environments/ has: minimal, other, renamed)`],
      remedy: `create ${file} (README "Configuration"), or run where environments/ is, or pass --config-dir DIR for the folder that holds environments/`,
    });
    const missingDir = join(dir, "nowhere");
    expect(await loadEnvironment("prod", { configDir: missingDir, env })).toEqual({
      ok: false,
      file: join(missingDir, "environments", "prod.yaml"),
      errors: [`${join(missingDir, "environments", "prod.yaml")}: no such environment file (environments/ has none)`],
      remedy: `create ${join(missingDir, "environments", "prod.yaml")} (README "Configuration"), or run where environments/ is, or pass --config-dir DIR for the folder that holds environments/`,
    });
  });

  it("a missing .yaml path says the file does not exist and how to get one, not what environments/ holds", async () => {
    expect(await loadEnvironment("./missing.yaml", { configDir: dir, env })).toEqual({
      ok: false,
      file: "./missing.yaml",
      errors: ["./missing.yaml: no such file (a path ending in .yaml is read as given, not looked up in environments/)"],
      remedy:
        'check the path, or create the file (README "Configuration"; environments/*.yaml of the bluegreen repository are commented examples); to read DIR/environments/NAME.yaml give the NAME and --config-dir DIR',
    });
  });

  it("refuses something that is neither a name nor a .yaml path", async () => {
    expect(await loadEnvironment("../etc/passwd", { configDir: dir, env })).toEqual({
      ok: false,
      file: "../etc/passwd",
      errors: ["../etc/passwd: not an environment name or a .yaml file; give a name like production or a path ending in .yaml"],
    });
  });

  it("lists environment names, sorted, ignoring other files", async () => {
    expect(await listEnvironments(join(dir, "environments"))).toEqual(["minimal", "other", "renamed"]);
    expect(await listEnvironments(join(dir, "nowhere"))).toEqual([]);
  });

  it("defaults to ./environments", async () => {
    expect(await listEnvironments("environments")).toEqual(["local", "local-canary", "local-polling", "production", "staging"]);
    const result = await loadEnvironment("nope", { env });
    expect(result).toEqual({
      ok: false,
      file: "environments/nope.yaml",
      errors: ["environments/nope.yaml: no such environment file (environments/ has: local, local-canary, local-polling, production, staging)"],
      remedy: `create environments/nope.yaml (README "Configuration"), or run where environments/ is, or pass --config-dir DIR for the folder that holds environments/`,
    });
  });
});

describe("YAML syntax errors", () => {
  it("hide long or secret-looking excerpts of the source but keep short words", () => {
    expect(hideExcerpts('Unexpected scalar token in YAML stream: "123456789:TEST-literal-token-cccccccccccccccccccc"')).toBe(
      'Unexpected scalar token in YAML stream: "…"',
    );
    expect(hideExcerpts('Unexpected scalar token in YAML stream: "telegram"')).toBe('Unexpected scalar token in YAML stream: "telegram"');
    expect(hideExcerpts('Unexpected flow-map-end token in YAML stream: "}"')).toBe('Unexpected flow-map-end token in YAML stream: "}"');
    expect(hideExcerpts('Missing closing "quote')).toBe('Missing closing "quote');
  });

  it("report only the first error", () => {
    const text = "a:\n  b: { c: ${env:X} }\nd: [1\n";
    expect(loadEnvironmentText(text, "x.yaml", {})).toEqual({
      ok: false,
      file: "x.yaml",
      errors: [
        'x.yaml:2:12: YAML syntax error: Unexpected flow-map-start at node end; inside { } or [ ] quote values that contain braces, like "${env:NAME}" or "https://.../{colour}"',
      ],
    });
  });
});
