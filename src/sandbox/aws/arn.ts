// Deterministic resource ids: hashing the name (and parent) means a seeded world gets the same
// ARNs every run, so configs and test fixtures can hold them.
import { createHash } from "node:crypto";

export const ACCOUNT_ID = "123456789012";

export function hexId(seed: string, length = 16): string {
  return createHash("sha256").update(seed).digest("hex").slice(0, length);
}

const prefix = (region: string) => `arn:aws:elasticloadbalancing:${region}:${ACCOUNT_ID}:`;

export function loadBalancerArn(region: string, name: string): string {
  return `${prefix(region)}loadbalancer/app/${name}/${hexId(`lb|${region}|${name}`)}`;
}

export function targetGroupArn(region: string, name: string): string {
  return `${prefix(region)}targetgroup/${name}/${hexId(`tg|${region}|${name}`)}`;
}

/** listener/app/<lb-name>/<lb-id>/<listener-id>, derived from the load balancer and port. */
export function listenerArn(lbArn: string, port: number): string {
  const [head, rest] = splitResource(lbArn, "loadbalancer/");
  return `${head}listener/${rest}/${hexId(`listener|${lbArn}|${port}`)}`;
}

/** listener-rule/app/<lb-name>/<lb-id>/<listener-id>/<rule-id>. */
export function ruleArn(listenerArnValue: string, discriminator: string): string {
  const [head, rest] = splitResource(listenerArnValue, "listener/");
  return `${head}listener-rule/${rest}/${hexId(`rule|${listenerArnValue}|${discriminator}`)}`;
}

export type ArnKind = "loadbalancer" | "targetgroup" | "listener" | "listener-rule" | "unknown";

export function arnKind(arn: string): ArnKind {
  const resource = arn.split(":")[5] ?? "";
  const kind = resource.split("/")[0];
  if (kind === "loadbalancer" || kind === "targetgroup" || kind === "listener" || kind === "listener-rule") return kind;
  return "unknown";
}

function splitResource(arn: string, marker: string): [string, string] {
  const at = arn.indexOf(marker);
  return [arn.slice(0, at), arn.slice(at + marker.length)];
}

/** The one VPC the emulated account has in a region. */
export function vpcIdFor(region: string): string {
  return `vpc-${hexId(`vpc|${region}`, 17)}`;
}
