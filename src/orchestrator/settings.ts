// The orchestrator's view of an environment: resolved values only (milliseconds, bytes, URLs per
// colour, secret values). Built from a validated Config by fromConfig in config-bridge.ts.
import type { HooksConfig, MetricThresholds } from "../config/types.js";
import type { Colour, Urls } from "../domain/types.js";

export interface Settings {
  environment: string;
  targetGroups: Record<Colour, string>;
  hostPorts: Record<Colour, number>;
  container: {
    name: string;
    repository: string;
    port: number;
    memoryBytes: number;
    restartPolicy: string;
    stopTimeoutMs: number;
    /** Plain env and resolved secrets together: both go into the 0600 env file, never on a command line. */
    env: Record<string, string>;
    envFileDir: string;
    health: { path: string; expectStatus: number; expectJson?: Record<string, unknown> | undefined; timeoutMs: number };
  };
  webhook: {
    urls: Urls;
    secretToken?: string | undefined;
    maxConnections: number;
    allowedUpdates?: string[] | undefined;
    dropPendingUpdates: boolean;
    certificatePem?: string | undefined;
  };
  expectBotUsername?: string | undefined;
  gates: {
    intervalMs: number;
    healthyThreshold: number;
    timeoutMs: number;
    bakeMs: number;
    maxPendingUpdates: number;
    maxMemoryBytes: number;
    telegramMisses: number;
    /** Update JSON bodies posted to the new colour before traffic moves. */
    smokeUpdates: string[];
    /** CloudWatch alarms that must not be in ALARM during the gates and the bake (none when absent). */
    alarms?: string[] | undefined;
    /** Thresholds on the new colour's target-group metrics while it takes traffic. */
    metrics?: MetricThresholds | undefined;
  };
  rollout: { keepPreviousWarmMs: number; hostConcurrency: number };
  lock: { leaseMs: number; dir: string };
  /** Where audit records are appended on the first host. */
  historyFile: string;
  /** Local commands at fixed points of a release (src/hooks). */
  hooks?: HooksConfig | undefined;
}
