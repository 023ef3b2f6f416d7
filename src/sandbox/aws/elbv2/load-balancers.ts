// CreateLoadBalancer / DescribeLoadBalancers. Creation is idempotent by name, as on AWS.
import { hexId, loadBalancerArn, vpcIdFor } from "../arn.js";
import { AwsError, loadBalancerNotFound, validationError } from "../errors.js";
import { has, list, requireStr, str, strList } from "../query.js";
import type { Handler } from "../runtime.js";
import type { LoadBalancer, World } from "../world.js";
import type { XmlValue } from "../xml.js";
import { applyTags, readTags } from "./tags.js";

export function createLoadBalancerIn(
  world: World,
  region: string,
  input: { name: string; scheme?: string; subnets?: string[]; securityGroups?: string[]; tags?: Map<string, string> },
): LoadBalancer {
  const name = input.name;
  if (!/^[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,30}[a-zA-Z0-9])?$/.test(name) || name.startsWith("internal-")) {
    throw validationError(`The load balancer name '${name}' is not valid: use 1-32 alphanumeric characters or hyphens, not beginning or ending with a hyphen`);
  }
  const arn = loadBalancerArn(region, name);
  const existing = world.loadBalancers.get(arn);
  if (existing) return existing;
  const lb: LoadBalancer = {
    arn,
    name,
    dnsName: `${name}-${parseInt(hexId(arn, 8), 16)}.${region}.elb.amazonaws.com`,
    createdAt: new Date(),
    scheme: input.scheme ?? "internet-facing",
    type: "application",
    ipAddressType: "ipv4",
    vpcId: vpcIdFor(region),
    securityGroups: input.securityGroups ?? [],
    subnets: input.subnets ?? [],
    tags: new Map(),
  };
  applyTags(lb.tags, input.tags ?? new Map());
  world.loadBalancers.set(arn, lb);
  return lb;
}

export function renderLoadBalancer(lb: LoadBalancer): XmlValue {
  const region = lb.arn.split(":")[3] ?? "";
  const subnets = lb.subnets.length > 0 ? lb.subnets : [`subnet-${hexId(`${lb.arn}|a`, 17)}`, `subnet-${hexId(`${lb.arn}|b`, 17)}`];
  return {
    LoadBalancerArn: lb.arn,
    DNSName: lb.dnsName,
    CanonicalHostedZoneId: "Z1GM3OXH4ZPM65",
    CreatedTime: lb.createdAt,
    LoadBalancerName: lb.name,
    Scheme: lb.scheme,
    VpcId: lb.vpcId,
    State: { Code: "active" },
    Type: lb.type,
    AvailabilityZones: subnets.map((SubnetId, i) => ({ ZoneName: `${region}${"abc"[i % 3]}`, SubnetId })),
    SecurityGroups: lb.securityGroups,
    IpAddressType: lb.ipAddressType,
  };
}

export const createLoadBalancer: Handler = (rt, p, ctx) => {
  const type = str(p, "Type");
  if (type !== undefined && type !== "application") throw validationError(`Load balancer type '${type}' is not supported: only 'application'`);
  const lb = createLoadBalancerIn(rt.world, ctx.region, {
    name: requireStr(p, "Name"),
    scheme: str(p, "Scheme"),
    subnets: strList(p, "Subnets"),
    securityGroups: strList(p, "SecurityGroups"),
    tags: readTags(list(p, "Tags")),
  });
  return { LoadBalancers: [renderLoadBalancer(lb)] };
};

export const describeLoadBalancers: Handler = (rt, p) => {
  const all = [...rt.world.loadBalancers.values()];
  let found = all;
  if (has(p, "LoadBalancerArns")) {
    found = strList(p, "LoadBalancerArns").map((arn) => {
      const lb = rt.world.loadBalancers.get(arn);
      if (!lb) throw loadBalancerNotFound();
      return lb;
    });
  } else if (has(p, "Names")) {
    const names = strList(p, "Names");
    const missing = names.filter((n) => !all.some((lb) => lb.name === n));
    if (missing.length > 0) throw new AwsError("LoadBalancerNotFound", `Load balancers '[${missing.join(", ")}]' not found`);
    found = all.filter((lb) => names.includes(lb.name));
  }
  return { LoadBalancers: found.map((lb) => renderLoadBalancer(lb)) };
};
