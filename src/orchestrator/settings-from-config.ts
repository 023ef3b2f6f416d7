// Config (validated YAML) -> Settings (what the orchestrator needs), reading the files it names.
import { readFile } from "node:fs/promises";
import type { Config } from "../config/index.js";
import { webhookUrlFor } from "../config/index.js";
import type { Settings } from "./settings.js";

export async function settingsFromConfig(config: Config, overrides: { bakeMs?: number } = {}): Promise<Settings> {
  const c = config.container;
  const w = config.telegram.webhook;
  const certificatePem = w?.certificate !== undefined ? await readFile(w.certificate, "utf8") : undefined;
  const smokeUpdates = await Promise.all(config.gates.smokeUpdates.map((p) => readFile(p, "utf8")));
  return {
    environment: config.environment,
    mode: config.telegram.mode,
    hasLoadBalancer: config.loadBalancer !== undefined,
    targetGroups: { blue: config.colours?.blue.targetGroup ?? "", green: config.colours?.green.targetGroup ?? "" },
    // A poller without a health check publishes nothing: no port to collide, no listener to reach it.
    hostPorts: c.port === undefined ? { blue: 0, green: 0 } : { blue: config.colours?.blue.hostPort ?? 0, green: config.colours?.green.hostPort ?? 0 },
    container: {
      name: c.name,
      repository: c.image,
      port: c.port ?? 0,
      memoryBytes: c.memoryLimit,
      restartPolicy: c.restartPolicy,
      stopTimeoutMs: c.stopTimeout,
      stopSignal: c.stopSignal,
      env: { ...c.env, ...c.secrets },
      envFileDir: c.envFileDir,
      health:
        c.health === undefined
          ? undefined
          : { path: c.health.path, expectStatus: c.health.expectStatus, expectJson: c.health.expectJson, timeoutMs: c.health.timeout },
    },
    webhook: {
      urls: { blue: webhookUrlFor(config, "blue"), green: webhookUrlFor(config, "green") },
      secretToken: w?.secretToken,
      maxConnections: w?.maxConnections ?? 40,
      allowedUpdates: w?.allowedUpdates,
      dropPendingUpdates: w?.dropPendingUpdates ?? false,
      certificatePem,
    },
    expectBotUsername: config.telegram.expectBotUsername,
    gates: {
      intervalMs: config.gates.interval,
      healthyThreshold: config.gates.healthyThreshold,
      timeoutMs: config.gates.timeout,
      bakeMs: overrides.bakeMs ?? config.gates.bake,
      maxPendingUpdates: config.gates.maxPendingUpdates,
      maxMemoryBytes: config.gates.maxMemory,
      telegramMisses: config.gates.telegramMisses,
      bakeEvidence: config.gates.bakeEvidence,
      settleMs: config.gates.settle,
      smokeUpdates,
      alarms: config.gates.alarms,
      metrics: config.gates.metrics,
    },
    rollout: { keepPreviousWarmMs: config.rollout.keepPreviousWarm, hostConcurrency: config.rollout.hostConcurrency, strategy: config.rollout.strategy },
    lock: { leaseMs: config.lock.lease, dir: config.lock.dir },
    hooks: config.hooks,
    historyFile: `${c.envFileDir.replace(/\/+$/, "")}/${config.environment}/history.ndjson`,
  };
}
