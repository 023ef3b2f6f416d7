// Target group attributes. Only deregistration_delay.timeout_seconds changes behaviour here; the
// others are stored and echoed so callers see the ALB's full attribute list.
import { invalidConfiguration, validationError } from "../errors.js";
import { list, requireStr, str } from "../query.js";
import type { Handler } from "../runtime.js";
import { getTargetGroup } from "./lookup.js";

const DEFAULTS: [string, string][] = [
  ["deregistration_delay.timeout_seconds", "300"],
  ["stickiness.enabled", "false"],
  ["stickiness.type", "lb_cookie"],
  ["stickiness.lb_cookie.duration_seconds", "86400"],
  ["stickiness.app_cookie.cookie_name", ""],
  ["stickiness.app_cookie.duration_seconds", "86400"],
  ["slow_start.duration_seconds", "0"],
  ["load_balancing.algorithm.type", "round_robin"],
  ["load_balancing.algorithm.anomaly_mitigation", "off"],
  ["load_balancing.cross_zone.enabled", "use_load_balancer_configuration"],
  ["target_group_health.dns_failover.minimum_healthy_targets.count", "1"],
  ["target_group_health.dns_failover.minimum_healthy_targets.percentage", "off"],
  ["target_group_health.unhealthy_state_routing.minimum_healthy_targets.count", "1"],
  ["target_group_health.unhealthy_state_routing.minimum_healthy_targets.percentage", "off"],
];

export function defaultAttributes(): Map<string, string> {
  return new Map(DEFAULTS);
}

function validateAttribute(key: string, value: string): void {
  const intBetween = (min: number, max: number) => {
    if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
      throw invalidConfiguration(`The value of '${key}' must be an integer between ${min} and ${max}`);
    }
  };
  switch (key) {
    case "deregistration_delay.timeout_seconds":
      intBetween(0, 3600);
      return;
    case "stickiness.enabled":
      if (value !== "true" && value !== "false") throw invalidConfiguration(`The value of '${key}' must be 'true' or 'false'`);
      return;
    case "stickiness.lb_cookie.duration_seconds":
    case "stickiness.app_cookie.duration_seconds":
      intBetween(1, 604800);
      return;
    case "slow_start.duration_seconds":
      intBetween(0, 900);
      if (value !== "0" && Number(value) < 30) throw invalidConfiguration(`The value of '${key}' must be 0 or between 30 and 900`);
      return;
    default:
      if (!DEFAULTS.some(([k]) => k === key)) throw validationError(`Target group attribute key '${key}' is not recognized`);
  }
}

const renderAttributes = (attrs: Map<string, string>) => [...attrs].map(([Key, Value]) => ({ Key, Value }));

export const describeTargetGroupAttributes: Handler = (rt, p) => {
  const tg = getTargetGroup(rt.world, requireStr(p, "TargetGroupArn"));
  return { Attributes: renderAttributes(tg.attributes) };
};

export const modifyTargetGroupAttributes: Handler = (rt, p) => {
  const tg = getTargetGroup(rt.world, requireStr(p, "TargetGroupArn"));
  const changes = list(p, "Attributes").map((a) => [str(a, "Key") ?? "", str(a, "Value") ?? ""] as const);
  if (changes.length === 0)
    throw validationError(
      "1 validation error detected: Value '[]' at 'attributes' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
  for (const [k, v] of changes) validateAttribute(k, v);
  for (const [k, v] of changes) tg.attributes.set(k, v);
  return { Attributes: renderAttributes(tg.attributes) };
};
