// One-call world setup for `bluegreen sandbox up`: an ALB with one HTTP listener, its target
// groups (sandbox health-check timings) and path rules per colour. Seeding again with the same
// spec gives the same ARNs and changes nothing.
import { ruleArn } from "./arn.js";
import { ControlError, parseBody, type SeedSpec, seedSchema } from "./control-schemas.js";
import { createListenerIn } from "./elbv2/listeners.js";
import { createLoadBalancerIn } from "./elbv2/load-balancers.js";
import { createTargetGroupIn } from "./elbv2/target-groups.js";
import { AwsError } from "./errors.js";
import type { Runtime } from "./runtime.js";
import type { ForwardAction, HealthCheck } from "./world.js";

export interface SeedResult {
  loadBalancerArn: string;
  listenerArn: string;
  listenerPort: number;
  dataPlanePort: number;
  targetGroups: Record<string, string>;
  rules: { ruleArn: string; priority: number; pathPattern: string; targetGroup: string }[];
}

/** The health check of the sandbox's seeded target groups (the bench derives its configured waits from it). */
export const SANDBOX_HEALTH: Omit<HealthCheck, "path"> = {
  protocol: "HTTP",
  port: "traffic-port",
  enabled: true,
  intervalSeconds: 5,
  timeoutSeconds: 2,
  healthyThreshold: 2,
  unhealthyThreshold: 2,
  matcher: "200",
};

const forwardTo = (targetGroupArn: string): ForwardAction => ({
  type: "forward",
  order: 1,
  targetGroups: [{ targetGroupArn, weight: 1 }],
  stickiness: { enabled: false },
});

export async function seedWorld(rt: Runtime, body: SeedSpec): Promise<SeedResult> {
  const spec = parseBody(seedSchema, body);
  const region = rt.world.defaultRegion;
  const names = new Set(spec.targetGroups.map((t) => t.name));
  for (const name of [spec.defaultTargetGroup, ...spec.colourRules.map((r) => r.targetGroup)]) {
    if (!names.has(name)) throw new ControlError(400, `target group '${name}' is not among targetGroups`);
  }
  const targetGroups: Record<string, string> = {};
  const arnOf = (name: string): string => {
    const arn = targetGroups[name];
    if (!arn) throw new ControlError(400, `target group '${name}' is not among targetGroups`);
    return arn;
  };
  try {
    const lb = createLoadBalancerIn(rt.world, region, { name: spec.name });
    for (const t of spec.targetGroups) {
      const tg = createTargetGroupIn(rt.world, region, { name: t.name, port: t.port, healthCheck: { ...SANDBOX_HEALTH, path: t.healthCheckPath } });
      tg.attributes.set("deregistration_delay.timeout_seconds", "5");
      targetGroups[t.name] = tg.arn;
    }
    const listener = await createListenerIn(rt, lb, {
      port: spec.listenerPort,
      protocol: "HTTP",
      actions: [forwardTo(arnOf(spec.defaultTargetGroup))],
      ...(spec.dataPlanePort !== undefined ? { dataPlanePort: spec.dataPlanePort } : {}),
    });
    const rules: SeedResult["rules"] = [];
    for (const r of spec.colourRules) {
      const arn = ruleArn(listener.arn, `priority-${r.priority}`);
      rt.world.rules.set(arn, {
        arn,
        listenerArn: listener.arn,
        priority: r.priority,
        conditions: [{ field: "path-pattern", values: [r.pathPattern] }],
        actions: [forwardTo(arnOf(r.targetGroup))],
        tags: rt.world.rules.get(arn)?.tags ?? new Map(),
      });
      rules.push({ ruleArn: arn, priority: r.priority, pathPattern: r.pathPattern, targetGroup: r.targetGroup });
    }
    return { loadBalancerArn: lb.arn, listenerArn: listener.arn, listenerPort: listener.port, dataPlanePort: listener.dataPlanePort, targetGroups, rules };
  } catch (err) {
    if (err instanceof AwsError) throw new ControlError(409, `${err.code}: ${err.message}`);
    throw err;
  } finally {
    rt.changed();
  }
}
