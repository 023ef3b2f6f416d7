// Tags on load balancers, target groups, listeners and rules: AddTags / RemoveTags / DescribeTags,
// with the ALB limits (50 per resource, key 1..128 chars, value up to 256).
import { arnKind } from "../arn.js";
import { AwsError, checkLength, listenerNotFound, loadBalancerNotFound, ruleNotFound, targetGroupNotFound, validationError } from "../errors.js";
import { list, type QueryNode, str, strList } from "../query.js";
import type { Handler } from "../runtime.js";
import type { Tags, World } from "../world.js";
import type { XmlValue } from "../xml.js";

export const MAX_TAGS = 50;

/** Reads a Tags list, rejecting repeated keys and oversize keys/values. */
export function readTags(nodes: QueryNode[]): Map<string, string> {
  const tags = new Map<string, string>();
  for (const n of nodes) {
    const key = str(n, "Key");
    if (key === undefined)
      throw validationError("1 validation error detected: Value null at 'tags.member.key' failed to satisfy constraint: Member must not be null");
    checkLength("tags.member.key", key, 1, 128);
    const value = str(n, "Value") ?? "";
    checkLength("tags.member.value", value, 0, 256);
    if (tags.has(key)) throw new AwsError("DuplicateTagKeys", `Tag key '${key}' was specified more than once`);
    tags.set(key, value);
  }
  return tags;
}

/** Merges new tags into a resource's tags, enforcing the per-resource limit. */
export function applyTags(target: Tags, add: Map<string, string>): void {
  const keys = new Set([...target.keys(), ...add.keys()]);
  if (keys.size > MAX_TAGS) throw new AwsError("TooManyTags", "You've reached the limit on the number of tags for this resource");
  for (const [k, v] of add) target.set(k, v);
}

export function renderTags(tags: Tags): XmlValue {
  return [...tags].map(([Key, Value]) => ({ Key, Value }));
}

function tagsByArn(world: World, arn: string): Tags {
  const tags = world.tagsOf(arn);
  if (tags) return tags;
  const kind = arnKind(arn);
  if (kind === "targetgroup") throw targetGroupNotFound();
  if (kind === "listener") throw listenerNotFound();
  if (kind === "listener-rule") throw ruleNotFound();
  if (kind === "loadbalancer") throw loadBalancerNotFound();
  throw validationError(`'${arn}' is not a valid load balancer, target group, listener or rule ARN`);
}

export const addTags: Handler = (rt, p) => {
  const arns = strList(p, "ResourceArns");
  const add = readTags(list(p, "Tags"));
  const targets = arns.map((arn) => tagsByArn(rt.world, arn));
  // Check every resource first so a failure changes nothing.
  for (const t of targets) applyTags(new Map(t), add);
  for (const t of targets) applyTags(t, add);
  return {};
};

export const removeTags: Handler = (rt, p) => {
  const arns = strList(p, "ResourceArns");
  const keys = strList(p, "TagKeys");
  const targets = arns.map((arn) => tagsByArn(rt.world, arn));
  for (const t of targets) for (const k of keys) t.delete(k);
  return {};
};

export const describeTags: Handler = (rt, p) => {
  const arns = strList(p, "ResourceArns");
  if (arns.length > 20)
    throw validationError(
      "1 validation error detected: Value at 'resourceArns' failed to satisfy constraint: Member must have length less than or equal to 20",
    );
  return { TagDescriptions: arns.map((arn) => ({ ResourceArn: arn, Tags: renderTags(tagsByArn(rt.world, arn)) })) };
};
