// GET /_control/state: a JSON picture of the whole emulated account, with each target's current
// health as DescribeTargetHealth would report it.
import type { FaultSpec } from "./faults.js";
import type { Runtime } from "./runtime.js";
import { currentHealth } from "./target-health.js";
import type { Action, Condition, HealthCheck, HealthState } from "./world.js";

export interface StateDump {
  region: string;
  timeScale: number;
  loadBalancers: { arn: string; name: string; dnsName: string; tags: Record<string, string> }[];
  listeners: {
    arn: string;
    loadBalancerArn: string;
    port: number;
    protocol: string;
    dataPlanePort: number;
    defaultActions: Action[];
    defaultRuleArn: string;
    rules: { arn: string; priority: number; conditions: Condition[]; actions: Action[]; tags: Record<string, string> }[];
    tags: Record<string, string>;
  }[];
  targetGroups: {
    arn: string;
    name: string;
    port: number;
    protocol: string;
    targetType: string;
    healthCheck: HealthCheck;
    attributes: Record<string, string>;
    tags: Record<string, string>;
    loadBalancerArns: string[];
    targets: { id: string; port: number; state: HealthState; reason?: string; description?: string; inFlight: number }[];
  }[];
  instances: {
    instanceId: string;
    privateIp: string;
    publicIp?: string;
    state: string;
    instanceStatus: string;
    systemStatus: string;
    tags: Record<string, string>;
  }[];
  faults: FaultSpec[];
}

const obj = (m: Map<string, string>) => Object.fromEntries(m);

export function dumpState(rt: Runtime): StateDump {
  const w = rt.world;
  return structuredClone({
    region: w.defaultRegion,
    timeScale: rt.timeScale,
    loadBalancers: [...w.loadBalancers.values()].map((lb) => ({ arn: lb.arn, name: lb.name, dnsName: lb.dnsName, tags: obj(lb.tags) })),
    listeners: [...w.listeners.values()].map((l) => ({
      arn: l.arn,
      loadBalancerArn: l.loadBalancerArn,
      port: l.port,
      protocol: l.protocol,
      dataPlanePort: l.dataPlanePort,
      defaultActions: l.defaultActions,
      defaultRuleArn: l.defaultRuleArn,
      rules: w.rulesOf(l.arn).map((r) => ({ arn: r.arn, priority: r.priority, conditions: r.conditions, actions: r.actions, tags: obj(r.tags) })),
      tags: obj(l.tags),
    })),
    targetGroups: [...w.targetGroups.values()].map((tg) => ({
      arn: tg.arn,
      name: tg.name,
      port: tg.port,
      protocol: tg.protocol,
      targetType: tg.targetType,
      healthCheck: tg.healthCheck,
      attributes: obj(tg.attributes),
      tags: obj(tg.tags),
      loadBalancerArns: w.loadBalancersOf(tg.arn),
      targets: [...tg.targets.values()].map((r) => ({ id: r.id, port: r.port, ...currentHealth(w, tg, r), inFlight: r.inFlight })),
    })),
    instances: [...w.instances.values()].map((i) => ({
      instanceId: i.id,
      privateIp: i.privateIp,
      ...(i.publicIp ? { publicIp: i.publicIp } : {}),
      state: i.state,
      instanceStatus: i.instanceStatus,
      systemStatus: i.systemStatus,
      tags: obj(i.tags),
    })),
    faults: rt.faults.list(),
  });
}
