// A minimal Ctx for the pure argv builders in orchestrator/stage.ts: only settings are read, so the
// ports are empty objects that would throw if anything touched them.
import type { Goal } from "../../src/domain/decide.js";
import type { Ctx } from "../../src/orchestrator/context.js";
import type { Settings } from "../../src/orchestrator/settings.js";

export const GOAL: Goal = {
  kind: "release",
  colour: "green",
  releaseId: "r2",
  image: `123456789012.dkr.ecr.ap-southeast-2.amazonaws.com/telegram-bot@sha256:${"a".repeat(64)}`,
  from: "blue",
};

export function settingsFor(over: { envFileDir?: string; environment?: string; name?: string; env?: Record<string, string> } = {}): Settings {
  return {
    environment: over.environment ?? "production",
    mode: "webhook",
    hasLoadBalancer: true,
    targetGroups: { blue: "bot-blue", green: "bot-green" },
    hostPorts: { blue: 5001, green: 5002 },
    container: {
      name: over.name ?? "telegram-bot",
      repository: "123456789012.dkr.ecr.ap-southeast-2.amazonaws.com/telegram-bot",
      port: 5000,
      memoryBytes: 400 * 2 ** 20,
      restartPolicy: "unless-stopped",
      stopTimeoutMs: 30_000,
      env: over.env ?? { TELEGRAM_BOT_TOKEN: "123456789:TEST-bot-token-aaaaaaaaaaaaaaaaaaaaaaaaa", LOG_LEVEL: "info" },
      envFileDir: over.envFileDir ?? "/etc/bluegreen/env",
      health: { path: "/health", expectStatus: 200, timeoutMs: 2000 },
    },
    webhook: {
      urls: { blue: "https://bot.example.com/telegram/blue", green: "https://bot.example.com/telegram/green" },
      maxConnections: 40,
      dropPendingUpdates: false,
    },
    gates: {
      intervalMs: 5000,
      healthyThreshold: 3,
      timeoutMs: 120_000,
      bakeMs: 1_800_000,
      maxPendingUpdates: 100,
      maxMemoryBytes: 380 * 2 ** 20,
      telegramMisses: 3,
      smokeUpdates: [],
    },
    rollout: { keepPreviousWarmMs: 3_600_000, hostConcurrency: 2 },
    lock: { leaseMs: 600_000, dir: "/var/lock/bluegreen" },
    historyFile: "/var/log/bluegreen/history.jsonl",
  };
}

export function ctxFor(over: Parameters<typeof settingsFor>[0] = {}): Ctx {
  const unused = {} as never;
  return {
    settings: settingsFor(over),
    lb: unused,
    telegram: unused,
    clock: unused,
    reporter: unused,
    hosts: [],
    listenerArn: "arn:listener",
    targetGroups: { blue: unused, green: unused },
  };
}
