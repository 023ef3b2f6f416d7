// Everything one emulator instance owns: the world model, the health checker, the data plane,
// injected faults, the call log and the time scale. API handlers and the control API share it.
import { clearDrainTimers } from "./draining.js";
import { DataPlane } from "./data-plane.js";
import { Faults } from "./faults.js";
import { HealthChecker } from "./health-checker.js";
import type { QueryNode } from "./query.js";
import type { Service } from "./protocol.js";
import { World } from "./world.js";
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
  calls: CallRecord[] = [];
  timeScale: number;
  readonly listenerPorts: Record<number, number>;

  constructor(opts: RuntimeOptions) {
    this.world = new World(opts.region);
    this.timeScale = opts.timeScale;
    this.listenerPorts = { ...opts.listenerPorts };
    this.health = new HealthChecker(this.world, () => this.timeScale);
    this.dataPlane = new DataPlane(this.world, opts.host);
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

export interface CallContext {
  region: string;
}

export type Handler = (rt: Runtime, params: QueryNode, ctx: CallContext) => XmlValue | Promise<XmlValue>;
