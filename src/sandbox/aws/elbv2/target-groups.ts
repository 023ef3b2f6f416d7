// CreateTargetGroup / DescribeTargetGroups / ModifyTargetGroup.
import { targetGroupArn, vpcIdFor } from "../arn.js";
import { AwsError, checkRange, targetGroupNotFound, validationError } from "../errors.js";
import { has, int, list, requireStr, str, strList } from "../query.js";
import type { Handler } from "../runtime.js";
import type { HealthCheck, TargetGroup, World } from "../world.js";
import type { XmlValue } from "../xml.js";
import { defaultAttributes } from "./attributes.js";
import { ALB_HEALTH_DEFAULTS, readHealthCheck } from "./health-settings.js";
import { getLoadBalancer, getTargetGroup } from "./lookup.js";
import { applyTags, readTags } from "./tags.js";

export interface NewTargetGroup {
  name: string;
  port: number;
  protocol?: string;
  targetType?: string;
  vpcId?: string;
  healthCheck: HealthCheck;
  tags?: Map<string, string>;
}

export function createTargetGroupIn(world: World, region: string, input: NewTargetGroup): TargetGroup {
  const { name } = input;
  if (name.length > 32) throw validationError(`Target group name '${name}' cannot be longer than '32' characters`);
  if (!/^[a-zA-Z0-9-]+$/.test(name)) {
    throw validationError(`Target group name '${name}' can only contain characters that are alphanumeric characters or hyphens(-)`);
  }
  if (name.startsWith("-") || name.endsWith("-")) throw validationError(`Target group name '${name}' cannot begin or end with '-'`);
  checkRange("port", input.port, 1, 65535);
  const protocol = input.protocol ?? "HTTP";
  if (protocol !== "HTTP") throw new AwsError("UnsupportedProtocol", `Protocol '${protocol}' is not supported by this emulator: use 'HTTP'`);
  const targetType = input.targetType ?? "instance";
  if (targetType !== "instance" && targetType !== "ip") throw validationError(`Target type '${targetType}' is not supported: use 'instance' or 'ip'`);
  const arn = targetGroupArn(region, name);
  const existing = world.targetGroups.get(arn);
  if (existing) {
    // AWS answers an identical create with the existing group, and refuses a conflicting one.
    const same =
      existing.port === input.port &&
      existing.protocol === protocol &&
      existing.targetType === targetType &&
      JSON.stringify(existing.healthCheck) === JSON.stringify(input.healthCheck);
    if (same) return existing;
    throw new AwsError("DuplicateTargetGroupName", `A target group with the same name '${name}' exists, but with different settings`);
  }
  const tg: TargetGroup = {
    arn,
    name,
    protocol,
    protocolVersion: "HTTP1",
    port: input.port,
    vpcId: input.vpcId ?? vpcIdFor(region),
    targetType,
    ipAddressType: "ipv4",
    healthCheck: input.healthCheck,
    attributes: defaultAttributes(),
    tags: new Map(),
    targets: new Map(),
  };
  applyTags(tg.tags, input.tags ?? new Map());
  world.targetGroups.set(arn, tg);
  return tg;
}

export function renderTargetGroup(world: World, tg: TargetGroup): XmlValue {
  const hc = tg.healthCheck;
  return {
    TargetGroupArn: tg.arn,
    TargetGroupName: tg.name,
    Protocol: tg.protocol,
    Port: tg.port,
    VpcId: tg.vpcId,
    HealthCheckProtocol: hc.protocol,
    HealthCheckPort: hc.port,
    HealthCheckEnabled: hc.enabled,
    HealthCheckIntervalSeconds: hc.intervalSeconds,
    HealthCheckTimeoutSeconds: hc.timeoutSeconds,
    HealthyThresholdCount: hc.healthyThreshold,
    UnhealthyThresholdCount: hc.unhealthyThreshold,
    HealthCheckPath: hc.path,
    Matcher: { HttpCode: hc.matcher },
    LoadBalancerArns: world.loadBalancersOf(tg.arn),
    TargetType: tg.targetType,
    ProtocolVersion: tg.protocolVersion,
    IpAddressType: tg.ipAddressType,
  };
}

export const createTargetGroup: Handler = (rt, p, ctx) => {
  const port = int(p, "Port");
  if (port === undefined) throw validationError("A port must be specified");
  const tg = createTargetGroupIn(rt.world, ctx.region, {
    name: requireStr(p, "Name"),
    port,
    protocol: str(p, "Protocol"),
    targetType: str(p, "TargetType"),
    vpcId: str(p, "VpcId"),
    healthCheck: readHealthCheck(p, ALB_HEALTH_DEFAULTS),
    tags: readTags(list(p, "Tags")),
  });
  return { TargetGroups: [renderTargetGroup(rt.world, tg)] };
};

export const describeTargetGroups: Handler = (rt, p) => {
  const world = rt.world;
  let found = [...world.targetGroups.values()];
  if (has(p, "TargetGroupArns")) {
    found = strList(p, "TargetGroupArns").map((arn) => getTargetGroup(world, arn));
  } else if (has(p, "Names")) {
    found = strList(p, "Names").map((name) => {
      const tg = found.find((t) => t.name === name);
      if (!tg) throw targetGroupNotFound();
      return tg;
    });
  } else {
    const lbArn = str(p, "LoadBalancerArn");
    if (lbArn !== undefined) {
      getLoadBalancer(world, lbArn);
      found = found.filter((tg) => world.loadBalancersOf(tg.arn).includes(lbArn));
    }
  }
  return { TargetGroups: found.map((tg) => renderTargetGroup(world, tg)) };
};

export const modifyTargetGroup: Handler = (rt, p) => {
  const tg = getTargetGroup(rt.world, requireStr(p, "TargetGroupArn"));
  tg.healthCheck = readHealthCheck(p, tg.healthCheck);
  return { TargetGroups: [renderTargetGroup(rt.world, tg)] };
};
