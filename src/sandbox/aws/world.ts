// The emulator's in-memory model of the account: load balancers, listeners, rules, target groups
// with their registered targets, and EC2 instances.

export type Tags = Map<string, string>;

export interface LoadBalancer {
  arn: string;
  name: string;
  dnsName: string;
  createdAt: Date;
  scheme: string;
  type: string;
  ipAddressType: string;
  vpcId: string;
  securityGroups: string[];
  subnets: string[];
  tags: Tags;
}

export interface ForwardAction {
  type: "forward";
  order: number;
  targetGroups: { targetGroupArn: string; weight: number }[];
  stickiness: { enabled: boolean; durationSeconds?: number };
}

export interface FixedResponseAction {
  type: "fixed-response";
  order: number;
  statusCode: string;
  contentType?: string;
  messageBody?: string;
}

export type Action = ForwardAction | FixedResponseAction;

export interface Condition {
  field: string;
  values: string[];
  httpHeaderName?: string;
}

export interface Rule {
  arn: string;
  listenerArn: string;
  priority: number;
  conditions: Condition[];
  actions: Action[];
  tags: Tags;
}

export interface Listener {
  arn: string;
  loadBalancerArn: string;
  port: number;
  protocol: string;
  defaultActions: Action[];
  defaultRuleArn: string;
  tags: Tags;
  /** The real local port its data-plane HTTP server listens on. */
  dataPlanePort: number;
}

export interface HealthCheck {
  protocol: string;
  port: string;
  enabled: boolean;
  path: string;
  intervalSeconds: number;
  timeoutSeconds: number;
  healthyThreshold: number;
  unhealthyThreshold: number;
  matcher: string;
}

export type HealthState = "initial" | "healthy" | "unhealthy" | "unused" | "draining" | "unavailable";

export interface TargetHealth {
  state: HealthState;
  reason?: string;
  description?: string;
}

export interface TargetRecord {
  id: string;
  port: number;
  /** Result of the health checks so far (initial / healthy / unhealthy). */
  checked: TargetHealth;
  passes: number;
  fails: number;
  draining: boolean;
  drainTimer?: NodeJS.Timeout;
  inFlight: number;
}

export interface TargetGroup {
  arn: string;
  name: string;
  protocol: string;
  protocolVersion: string;
  port: number;
  vpcId: string;
  targetType: string;
  ipAddressType: string;
  healthCheck: HealthCheck;
  attributes: Map<string, string>;
  tags: Tags;
  /** Keyed by `${id}:${port}`. */
  targets: Map<string, TargetRecord>;
}

export type InstanceState = "pending" | "running" | "shutting-down" | "terminated" | "stopping" | "stopped";
export const INSTANCE_STATES: InstanceState[] = ["pending", "running", "shutting-down", "terminated", "stopping", "stopped"];
export const INSTANCE_STATE_CODES: Record<InstanceState, number> = {
  pending: 0,
  running: 16,
  "shutting-down": 32,
  terminated: 48,
  stopping: 64,
  stopped: 80,
};

export type StatusValue = "ok" | "impaired" | "insufficient-data" | "not-applicable" | "initializing";
export const STATUS_VALUES: StatusValue[] = ["ok", "impaired", "insufficient-data", "not-applicable", "initializing"];

export interface Instance {
  id: string;
  privateIp: string;
  publicIp?: string;
  state: InstanceState;
  instanceStatus: StatusValue;
  systemStatus: StatusValue;
  tags: Tags;
  launchTime: Date;
  reservationId: string;
  imageId: string;
  instanceType: string;
  availabilityZone: string;
}

export class World {
  readonly loadBalancers = new Map<string, LoadBalancer>();
  readonly listeners = new Map<string, Listener>();
  readonly rules = new Map<string, Rule>();
  readonly targetGroups = new Map<string, TargetGroup>();
  readonly instances = new Map<string, Instance>();

  constructor(readonly defaultRegion: string) {}

  rulesOf(listenerArn: string): Rule[] {
    return [...this.rules.values()].filter((r) => r.listenerArn === listenerArn).sort((a, b) => a.priority - b.priority);
  }

  listenersOf(lbArn: string): Listener[] {
    return [...this.listeners.values()].filter((l) => l.loadBalancerArn === lbArn).sort((a, b) => a.port - b.port);
  }

  /** Every action of every listener and rule, each with the load balancer it belongs to. */
  allActions(): { action: Action; loadBalancerArn: string }[] {
    const out: { action: Action; loadBalancerArn: string }[] = [];
    for (const l of this.listeners.values()) {
      for (const action of l.defaultActions) out.push({ action, loadBalancerArn: l.loadBalancerArn });
      for (const r of this.rulesOf(l.arn)) for (const action of r.actions) out.push({ action, loadBalancerArn: l.loadBalancerArn });
    }
    return out;
  }

  /** A group counts as referenced even at weight 0: the ALB still health-checks it. */
  isReferenced(tgArn: string): boolean {
    return this.allActions().some(({ action }) => action.type === "forward" && action.targetGroups.some((t) => t.targetGroupArn === tgArn));
  }

  loadBalancersOf(tgArn: string): string[] {
    const arns = new Set<string>();
    for (const { action, loadBalancerArn } of this.allActions()) {
      if (action.type === "forward" && action.targetGroups.some((t) => t.targetGroupArn === tgArn)) arns.add(loadBalancerArn);
    }
    return [...arns];
  }

  tagsOf(arn: string): Tags | undefined {
    return this.loadBalancers.get(arn)?.tags ?? this.targetGroups.get(arn)?.tags ?? this.listeners.get(arn)?.tags ?? this.rules.get(arn)?.tags;
  }
}
