// Everything one emulator instance owns: the world model, the health checker, the data plane,
// injected faults, the call log and the time scale. API handlers and the control API share it.
import { Alarms } from "./cloudwatch/alarms.js";
import { AlbMetrics } from "./cloudwatch/metrics.js";
import { DataPlane } from "./data-plane.js";
import { clearDrainTimers } from "./draining.js";
import { Faults } from "./faults.js";
import { HealthChecker } from "./health-checker.js";
import type { Service } from "./protocol.js";
import type { QueryNode } from "./query.js";
import { type TargetGroup, World } from "./world.js";
import type { XmlValue } from "./xml.js";

export interface CallRecord {
  action: string;
  at: string;
  service: Service;
}

export interface RuntimeOptions {
  region: string;
  timeScale: number;
  host: string;
  listenerPorts: Record<number, number>;
}

export class Runtime {
  readonly world: World;
  readonly health: HealthChecker;
  readonly dataPlane: DataPlane;
  readonly faults = new Faults();
  /** CloudWatch's view: the data plane's per-target-group metrics and the account's alarms. */
  readonly metrics = new AlbMetrics();
  readonly alarms: Alarms;
  calls: CallRecord[] = [];
  timeScale: number;
  readonly listenerPorts: Record<number, number>;

  constructor(opts: RuntimeOptions) {
    this.world = new World(opts.region);
    this.timeScale = opts.timeScale;
    this.listenerPorts = { ...opts.listenerPorts };
    this.alarms = new Alarms(() => this.world.defaultRegion);
    this.health = new HealthChecker(
      this.world,
      () => this.timeScale,
      (tg) => this.metrics.sampleHealth(tg.arn, hostCounts(tg)),
    );
    this.dataPlane = new DataPlane(this.world, opts.host, this.metrics);
  }

  /** The local port for an ALB listener port: the configured mapping, else ephemeral. */
  dataPlanePortFor(listenerPort: number): number {
    return this.listenerPorts[listenerPort] ?? 0;
  }

  /** Re-evaluates which targets need health checks; called after every change to the world. */
  changed(): void {
    this.health.sync();
  }

  async stop(): Promise<void> {
    this.health.stop();
    clearDrainTimers(this.world.targetGroups.values());
    await this.dataPlane.stop();
  }
}

/** What UnHealthyHostCount / HealthyHostCount count: registered, non-draining targets by their checked state. */
function hostCounts(tg: TargetGroup): { unhealthy: number; healthy: number } {
  let unhealthy = 0;
  let healthy = 0;
  for (const r of tg.targets.values()) {
    if (r.draining) continue;
    if (r.checked.state === "unhealthy") unhealthy += 1;
    else if (r.checked.state === "healthy") healthy += 1;
  }
  return { unhealthy, healthy };
}

export interface CallContext {
  region: string;
}

export type Handler = (rt: Runtime, params: QueryNode, ctx: CallContext) => XmlValue | Promise<XmlValue>;
