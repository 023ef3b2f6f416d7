// Listener and rule actions. A forward action comes as `TargetGroupArn`, as `ForwardConfig` with
// weighted groups, or both (then ForwardConfig must hold exactly that one group); Describe
// returns both forms, the ARN only when a single group is forwarded to.
import { AwsError, checkRange, invalidConfiguration, targetGroupNotFound, validationError } from "../errors.js";
import { bool, child, int, list, type QueryNode, str } from "../query.js";
import type { Action, ForwardAction, World } from "../world.js";
import type { XmlValue } from "../xml.js";

const MAX_GROUPS_PER_FORWARD = 5;

export function readActions(world: World, nodes: QueryNode[], member: string, loadBalancerArn: string): Action[] {
  if (nodes.length === 0) {
    throw validationError(
      `1 validation error detected: Value '[]' at '${member}' failed to satisfy constraint: Member must have length greater than or equal to 1`,
    );
  }
  if (nodes.length > 1) throw new AwsError("TooManyActions", "You've reached the limit on the number of actions per rule");
  return nodes.map((n, i) => readAction(world, n, i + 1, loadBalancerArn));
}

function readAction(world: World, n: QueryNode, index: number, loadBalancerArn: string): Action {
  const type = str(n, "Type");
  const order = int(n, "Order") ?? index;
  checkRange("order", order, 1, 50000);
  if (type === "forward") return readForward(world, n, order, loadBalancerArn);
  if (type === "fixed-response") {
    const cfg = child(n, "FixedResponseConfig");
    const statusCode = str(cfg, "StatusCode");
    if (!statusCode || !/^(2|4|5)\d\d$/.test(statusCode)) throw validationError("A fixed-response action needs a StatusCode of 2XX, 4XX or 5XX");
    const body = str(cfg, "MessageBody");
    if (body !== undefined && body.length > 1024) throw validationError("The fixed-response message body cannot be longer than 1024 characters");
    return { type, order, statusCode, contentType: str(cfg, "ContentType"), messageBody: body };
  }
  if (!type) throw validationError("1 validation error detected: Value null at 'type' failed to satisfy constraint: Member must not be null");
  throw new AwsError("InvalidLoadBalancerAction", `Action type '${type}' is not supported by this load balancer emulator`);
}

function readForward(world: World, n: QueryNode, order: number, loadBalancerArn: string): ForwardAction {
  const arn = str(n, "TargetGroupArn");
  const config = child(n, "ForwardConfig");
  let groups: { targetGroupArn: string; weight: number }[];
  if (config !== undefined) {
    groups = list(config, "TargetGroups").map((g) => {
      const tgArn = str(g, "TargetGroupArn");
      if (!tgArn) throw validationError("A target group ARN must be specified for each target group in a forward config");
      const weight = int(g, "Weight") ?? 1;
      checkRange("weight", weight, 0, 999);
      return { targetGroupArn: tgArn, weight };
    });
    if (groups.length === 0) throw validationError("A forward config must specify at least one target group");
    if (groups.length > MAX_GROUPS_PER_FORWARD) throw invalidConfiguration(`A forward action can forward to at most ${MAX_GROUPS_PER_FORWARD} target groups`);
    const seen = new Set<string>();
    for (const g of groups) {
      if (seen.has(g.targetGroupArn)) throw invalidConfiguration(`Target group '${g.targetGroupArn}' is specified more than once in the forward config`);
      seen.add(g.targetGroupArn);
    }
    if (arn !== undefined && (groups.length !== 1 || groups[0]?.targetGroupArn !== arn)) {
      throw invalidConfiguration(
        "You cannot specify both a target group ARN and a forward config unless the forward config holds exactly that one target group",
      );
    }
  } else if (arn) {
    groups = [{ targetGroupArn: arn, weight: 1 }];
  } else {
    throw validationError("A target group ARN or a forward config must be specified for a forward action");
  }
  for (const g of groups) {
    if (!world.targetGroups.has(g.targetGroupArn)) throw targetGroupNotFound();
    const others = world.loadBalancersOf(g.targetGroupArn).filter((lb) => lb !== loadBalancerArn);
    if (others.length > 0) {
      throw new AwsError(
        "TargetGroupAssociationLimit",
        `The following target groups cannot be associated with more than one load balancer: ${g.targetGroupArn}`,
      );
    }
  }
  const sticky = child(config, "TargetGroupStickinessConfig");
  const enabled = bool(sticky, "Enabled") ?? false;
  const durationSeconds = int(sticky, "DurationSeconds");
  checkRange("durationSeconds", durationSeconds, 1, 604800);
  return { type: "forward", order, targetGroups: groups, stickiness: durationSeconds === undefined ? { enabled } : { enabled, durationSeconds } };
}

export function renderAction(a: Action): XmlValue {
  if (a.type === "fixed-response") {
    return { Type: a.type, Order: a.order, FixedResponseConfig: { StatusCode: a.statusCode, ContentType: a.contentType, MessageBody: a.messageBody } };
  }
  return {
    Type: "forward",
    TargetGroupArn: a.targetGroups.length === 1 ? a.targetGroups[0]?.targetGroupArn : undefined,
    Order: a.order,
    ForwardConfig: {
      TargetGroups: a.targetGroups.map((g) => ({ TargetGroupArn: g.targetGroupArn, Weight: g.weight })),
      TargetGroupStickinessConfig: { Enabled: a.stickiness.enabled, DurationSeconds: a.stickiness.durationSeconds },
    },
  };
}
