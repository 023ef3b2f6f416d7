// Finding resources by ARN, raising the ELBv2 *NotFound error the SDK maps to a typed exception.
import { listenerNotFound, loadBalancerNotFound, ruleNotFound, targetGroupNotFound } from "../errors.js";
import type { Listener, LoadBalancer, Rule, TargetGroup, World } from "../world.js";

export function getTargetGroup(world: World, arn: string): TargetGroup {
  const tg = world.targetGroups.get(arn);
  if (!tg) throw targetGroupNotFound();
  return tg;
}

export function getListener(world: World, arn: string): Listener {
  const l = world.listeners.get(arn);
  if (!l) throw listenerNotFound();
  return l;
}

export function getLoadBalancer(world: World, arn: string): LoadBalancer {
  const lb = world.loadBalancers.get(arn);
  if (!lb) throw loadBalancerNotFound();
  return lb;
}

export function getRule(world: World, arn: string): Rule {
  const r = world.rules.get(arn);
  if (!r) throw ruleNotFound();
  return r;
}

/** The listener whose default rule has this ARN, if any (default rules live on the listener). */
export function listenerOfDefaultRule(world: World, arn: string): Listener | undefined {
  return [...world.listeners.values()].find((l) => l.defaultRuleArn === arn);
}
