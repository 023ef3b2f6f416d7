// telegram.mode: a poller needs no load balancer, target groups, port or health check; a webhook
// bot needs all of them, and each missing one is an error with its path and the way out.
import { describe, expect, it } from "vitest";
import { loadEnvironmentText } from "../../src/config/index.js";
import { settingsFromConfig } from "../../src/orchestrator/settings-from-config.js";

const TOKEN = "123456789:TEST-bot-token-aaaaaaaaaaaaaaaaaaaaaaaaa";
const FILE = "/srv/bot/environments/poll.yaml";
const HEAD = `environment: poll
aws: { region: ap-southeast-2 }
hosts:
  static: [{ address: 10.0.1.5, instanceId: i-0123456789abcdef0 }]
  ssh: { agent: true, hostKeyFingerprint: "SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s" }
`;
const POLLING = `${HEAD}container: { name: bot, image: bot, memoryLimit: 400m }
telegram: { botToken: "\${env:TELEGRAM_BOT_TOKEN}", mode: polling }
`;

const errors = (text: string) => {
  const r = loadEnvironmentText(text, FILE, { TELEGRAM_BOT_TOKEN: TOKEN });
  return r.ok ? [] : r.errors.map((e) => e.replace(/ \([^()]*:\d+:\d+\)$/, ""));
};

describe("telegram.mode", () => {
  it("polling: valid without loadBalancer, colours, port, health or webhook; settings publish nothing", async () => {
    const r = loadEnvironmentText(POLLING, FILE, { TELEGRAM_BOT_TOKEN: TOKEN });
    if (!r.ok) throw new Error(r.errors.join("\n"));
    expect(r.config.telegram.mode).toBe("polling");
    expect(r.config.loadBalancer).toBeUndefined();
    expect(r.config.container.health).toBeUndefined();
    const s = await settingsFromConfig(r.config);
    expect(s).toMatchObject({
      mode: "polling",
      hasLoadBalancer: false,
      hostPorts: { blue: 0, green: 0 },
      targetGroups: { blue: "", green: "" },
      webhook: { urls: { blue: "", green: "" } },
    });
    expect(s.container.port).toBe(0);
    expect(s.container.health).toBeUndefined();
  });

  it("webhook is the default and names every missing piece with its path", () => {
    expect(errors(`${HEAD}container: { name: bot, image: bot, memoryLimit: 400m }\ntelegram: { botToken: "\${env:TELEGRAM_BOT_TOKEN}" }\n`)).toEqual([
      "loadBalancer: is required (telegram.mode is webhook: Telegram reaches the bot through the load balancer); add loadBalancer: { listener: <ARN or { loadBalancer: <name>, port: 443 }> }, or set telegram.mode: polling for a bot that calls getUpdates",
      "colours: is required (telegram.mode is webhook: Telegram reaches the bot through the load balancer); add blue and green, each with targetGroup and hostPort, or set telegram.mode: polling for a bot that calls getUpdates",
      "container.port: is required (telegram.mode is webhook: Telegram reaches the bot through the load balancer); give the port the bot listens on inside the container, e.g. port: 5000",
      "telegram.webhook: is required (telegram.mode is webhook: Telegram reaches the bot through the load balancer); add webhook: { url: https://bot.example.com/telegram/{colour} }, or set telegram.mode: polling for a bot that calls getUpdates",
    ]);
  });

  it("webhook: a colour without its target group is an error on that colour", () => {
    const text = `${HEAD}loadBalancer: { listener: { loadBalancer: bot-alb, port: 443 } }
colours: { blue: { targetGroup: bot-blue, hostPort: 5001 }, green: { hostPort: 5002 } }
container: { name: bot, image: bot, port: 5000, memoryLimit: 400m }
telegram: { botToken: "\${env:TELEGRAM_BOT_TOKEN}", webhook: { url: "https://bot.example.com/telegram/{colour}" } }
`;
    expect(errors(text)).toEqual([
      "colours.green.targetGroup: is required (telegram.mode is webhook: Telegram reaches the bot through the load balancer); e.g. targetGroup: bot-green",
    ]);
  });

  it("polling with a health check needs the port and the host ports", () => {
    const text = POLLING.replace("memoryLimit: 400m }", "memoryLimit: 400m, health: { path: /health } }");
    expect(errors(text)).toEqual([
      "colours: is required when container.health is set (the health check calls the container through its host port); add blue: { hostPort: 5001 } and green: { hostPort: 5002 }, or remove container.health",
      "container.port: is required when container.health is set (the health check calls the container through its host port); e.g. port: 8080, or remove container.health",
    ]);
  });

  it("an unknown mode is refused with the two choices", () => {
    expect(errors(POLLING.replace("mode: polling", "mode: longpoll"))).toEqual(["telegram.mode: must be webhook or polling"]);
  });
});
