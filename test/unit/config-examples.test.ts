// The committed environment files load with fake secrets, say what the user's setup needs, and do
// not collide with each other.
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { type Config, crossEnvironmentErrors, loadEnvironment, webhookUrlFor } from "../../src/config/index.js";

const FAKE = {
  TELEGRAM_BOT_TOKEN: "123456789:TEST-bot-token-aaaaaaaaaaaaaaaaaaaaaaaaa",
  TELEGRAM_WEBHOOK_SECRET: "TEST-webhook-secret-production",
  TELEGRAM_STAGING_BOT_TOKEN: "223456789:TEST-bot-token-staging-bbbbbbbbbbbbbbb",
  TELEGRAM_STAGING_WEBHOOK_SECRET: "TEST-webhook-secret-staging",
  BLUEGREEN_SANDBOX_BOT_TOKEN: "323456789:TEST-bot-token-sandbox-ccccccccccccccc",
  BLUEGREEN_SANDBOX_WEBHOOK_SECRET: "TEST-webhook-secret-sandbox",
  BLUEGREEN_SANDBOX_POLLING_BOT_TOKEN: "423456789:TEST-bot-token-polling-ddddddddddddddd",
  BLUEGREEN_SANDBOX_CANARY_BOT_TOKEN: "523456789:TEST-bot-token-canary-eeeeeeeeeeeeeeee",
  BOT_SSH_KEY_PATH: "/home/ci/.ssh/bot_ed25519",
};

async function loaded(name: string): Promise<{ config: Config; secrets: string[]; file: string }> {
  const result = await loadEnvironment(name, { env: FAKE });
  if (!result.ok) throw new Error(result.errors.join("\n"));
  return result;
}

const MB = 1024 * 1024;

describe("environments/*.yaml", () => {
  it.each(["local", "local-canary", "local-polling", "production", "staging"])("%s.yaml starts with the schema line for editors", async (name) => {
    const text = await readFile(`environments/${name}.yaml`, "utf8");
    expect(text.split("\n")[0]).toBe("# yaml-language-server: $schema=../schema/environment.schema.json");
  });

  it("production: the user's EC2 webhook bot in ap-southeast-2", async () => {
    const { config, secrets, file } = await loaded("production");
    expect(file).toBe("environments/production.yaml");
    expect(config.environment).toBe("production");
    expect(config.protected).toBe(true);
    expect(config.aws).toEqual({ region: "ap-southeast-2" });
    expect(config.loadBalancer?.listener).toBe(
      "arn:aws:elasticloadbalancing:ap-southeast-2:123456789012:listener/app/bot-alb/50dc6c495c0c9188/f2f7dc8efc522ab2",
    );
    expect(config.colours).toEqual({ blue: { targetGroup: "bot-blue", hostPort: 5001 }, green: { targetGroup: "bot-green", hostPort: 5002 } });
    expect(config.hosts.ec2).toEqual({ tags: { app: "crypto-assistant", role: "telegram-bot" } });
    expect(config.hosts.ssh).toEqual({
      transport: "ssh",
      user: "ec2-user",
      port: 22,
      agent: false,
      privateKey: "/home/ci/.ssh/bot_ed25519",
      knownHosts: resolve("environments/known_hosts"),
      connectTimeout: 10_000,
    });
    expect(config.container.port).toBe(5000);
    expect(config.container.memoryLimit).toBe(400 * MB);
    expect(config.container.env).toEqual({ BOT_MODE: "webhook" });
    expect(config.container.secrets).toEqual({
      TELEGRAM_BOT_TOKEN: FAKE.TELEGRAM_BOT_TOKEN,
      TELEGRAM_WEBHOOK_SECRET: FAKE.TELEGRAM_WEBHOOK_SECRET,
    });
    expect(config.container.health).toEqual({ path: "/health", expectStatus: 200, expectJson: { mode: "webhook" }, timeout: 2000 });
    expect(config.telegram.webhook).toEqual({
      url: "https://13.239.14.166/webhook",
      certificate: resolve("environments/webhook-cert.pem"),
      secretToken: FAKE.TELEGRAM_WEBHOOK_SECRET,
      allowedUpdates: ["message", "callback_query"],
      maxConnections: 40,
      dropPendingUpdates: false,
    });
    expect(webhookUrlFor(config, "blue")).toBe("https://13.239.14.166/webhook");
    expect(webhookUrlFor(config, "green")).toBe("https://13.239.14.166/webhook");
    expect(config.gates).toEqual({
      interval: 5000,
      healthyThreshold: 3,
      timeout: 120_000,
      bake: 30 * 60_000,
      maxPendingUpdates: 100,
      maxMemory: 380 * MB,
      telegramMisses: 3,
      bakeEvidence: 3,
      settle: 10_000,
      smokeUpdates: [],
      alarms: [],
    });
    expect(config.lock).toEqual({ lease: 15 * 60_000, dir: "/var/lock/bluegreen" });
    expect(secrets).toEqual([FAKE.TELEGRAM_BOT_TOKEN, FAKE.TELEGRAM_WEBHOOK_SECRET]);
    expect(config.secretRefs).toEqual({
      "telegram.botToken": "TELEGRAM_BOT_TOKEN",
      "telegram.webhook.secretToken": "TELEGRAM_WEBHOOK_SECRET",
      "container.secrets.TELEGRAM_BOT_TOKEN": "TELEGRAM_BOT_TOKEN",
      "container.secrets.TELEGRAM_WEBHOOK_SECRET": "TELEGRAM_WEBHOOK_SECRET",
      "hosts.ssh.privateKey": "BOT_SSH_KEY_PATH",
    });
  });

  it("staging: its own bot, URL, load balancer and hosts", async () => {
    const { config, secrets } = await loaded("staging");
    expect(config.protected).toBe(false);
    expect(config.telegram.botToken).toBe(FAKE.TELEGRAM_STAGING_BOT_TOKEN);
    expect(config.telegram.webhook?.url).toBe("https://staging-bot.example.com/webhook");
    expect(config.colours?.blue.targetGroup).toBe("bot-staging-blue");
    expect(config.hosts.ec2).toEqual({ tags: { app: "crypto-assistant", role: "telegram-bot-staging" } });
    expect(config.gates.bake).toBe(10 * 60_000);
    expect(config.container.envFileDir).toBe("/var/lib/bluegreen");
    expect(secrets).toEqual([FAKE.TELEGRAM_STAGING_BOT_TOKEN, FAKE.TELEGRAM_STAGING_WEBHOOK_SECRET]);
  });

  it("local: the sandbox world", async () => {
    const { config, secrets } = await loaded("local");
    expect(config.aws).toEqual({ region: "ap-southeast-2", endpoint: "http://127.0.0.1:4566" });
    expect(config.loadBalancer?.listener).toEqual({ loadBalancer: "bot-alb", port: 80 });
    expect(config.colours).toEqual({ blue: { targetGroup: "bot-blue", hostPort: 5001 }, green: { targetGroup: "bot-green", hostPort: 5002 } });
    expect(config.hosts.ec2).toEqual({ tags: { app: "echo-bot" } });
    expect(config.hosts.ssh.transport).toBe("local");
    expect(config.container.name).toBe("echo-bot");
    expect(config.container.image).toBe("echo-bot");
    expect(config.container.env).toEqual({ BOT_MODE: "webhook", TELEGRAM_API_BASE: "http://127.0.0.1:8081" });
    expect(config.container.secrets).toEqual({
      TELEGRAM_BOT_TOKEN: FAKE.BLUEGREEN_SANDBOX_BOT_TOKEN,
      TELEGRAM_WEBHOOK_SECRET: FAKE.BLUEGREEN_SANDBOX_WEBHOOK_SECRET,
    });
    expect(config.telegram.apiBase).toBe("http://127.0.0.1:8081");
    expect(webhookUrlFor(config, "blue")).toBe("http://127.0.0.1:8080/telegram/blue");
    expect(webhookUrlFor(config, "green")).toBe("http://127.0.0.1:8080/telegram/green");
    expect(config.gates).toMatchObject({ interval: 1000, healthyThreshold: 2, timeout: 60_000, bake: 10_000, maxPendingUpdates: 50 });
    expect(config.rollout.keepPreviousWarm).toBe(10 * 60_000);
    // Relative to the file's folder (environments/): the project's .bluegreen/, whatever the current folder.
    expect(config.lock).toEqual({ lease: 120_000, dir: resolve(".bluegreen/sandbox/lock") });
    expect(config.container.envFileDir).toBe(resolve(".bluegreen/sandbox/env"));
    expect(secrets).toEqual([FAKE.BLUEGREEN_SANDBOX_BOT_TOKEN, FAKE.BLUEGREEN_SANDBOX_WEBHOOK_SECRET]);
  });

  it("no two example environments collide: each sandbox environment has its own bot, and local-canary its own load balancer", async () => {
    const all = await Promise.all(["local", "local-canary", "local-polling", "production", "staging"].map(loaded));
    for (const a of all) for (const b of all) if (a !== b) expect(crossEnvironmentErrors(a, b)).toEqual([]);
    const canary = all[1]?.config;
    expect(canary?.loadBalancer?.listener).toEqual({ loadBalancer: "canary-alb", port: 80 });
    expect(canary?.colours).toEqual({ blue: { targetGroup: "canary-blue", hostPort: 5003 }, green: { targetGroup: "canary-green", hostPort: 5004 } });
    expect(canary?.telegram.botToken).toBe(FAKE.BLUEGREEN_SANDBOX_CANARY_BOT_TOKEN);
    expect(all[2]?.config.telegram.botToken).toBe(FAKE.BLUEGREEN_SANDBOX_POLLING_BOT_TOKEN);
  });
});
