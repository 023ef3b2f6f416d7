// The orchestrator's view of an environment: resolved values only (milliseconds, bytes, URLs per
// colour, secret values). Built from a validated Config by settingsFromConfig.
import type { HooksConfig, MetricThresholds, RolloutStrategy } from "../config/types.js";
import type { Colour, Urls } from "../domain/types.js";

export interface Settings {
  environment: string;
  /** webhook: the ALB and the webhook are the two switches; polling: the running poller is the switch. */
  mode: "webhook" | "polling";
  /** False for a polling environment without a load balancer: the release state then lives on the first host. */
  hasLoadBalancer: boolean;
  /** "" when the environment names no target group (polling). */
  targetGroups: Record<Colour, string>;
  /** 0 when the container publishes no port (a poller without a health check). */
  hostPorts: Record<Colour, number>;
  container: {
    name: string;
    repository: string;
    /** 0 when the container serves no HTTP (a poller without a health check). */
    port: number;
    memoryBytes: number;
    restartPolicy: string;
    stopTimeoutMs: number;
    /** docker stop --signal, when the operator set container.stopSignal. */
    stopSignal?: string | undefined;
    /** Plain env and resolved secrets together: both go into the 0600 env file, never on a command line. */
    env: Record<string, string>;
    envFileDir: string;
    /** Absent for a poller without an HTTP server: the gates then rely on the container's state. */
    health?: { path: string; expectStatus: number; expectJson?: Record<string, unknown> | undefined; timeoutMs: number } | undefined;
  };
  /** urls are "" when the environment has no webhook section (polling). */
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
    /** Successful checks of each kind (Telegram, health, target health) a bake needs after the cutover. */
    bakeEvidence: number;
    /** How long the webhook is watched after a cutover (from the new containers' start) and after a restore. */
    settleMs: number;
    /** Update JSON bodies posted to the new colour before traffic moves. */
    smokeUpdates: string[];
    /** CloudWatch alarms that must not be in ALARM during the gates and the bake (none when absent). */
    alarms?: string[] | undefined;
    /** Thresholds on the new colour's target-group metrics while it takes traffic. */
    metrics?: MetricThresholds | undefined;
  };
  /** strategy: how traffic moves (all-at-once when absent). */
  rollout: { keepPreviousWarmMs: number; hostConcurrency: number; strategy?: RolloutStrategy | undefined };
  lock: { leaseMs: number; dir: string };
  /** Where audit records are appended on the first host. */
  historyFile: string;
  /** Local commands at fixed points of a release (src/hooks). */
  hooks?: HooksConfig | undefined;
}
