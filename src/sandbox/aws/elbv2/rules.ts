// CreateRule / DescribeRules / ModifyRule / DeleteRule. Every listener also has a default rule
// (priority "default") that mirrors its default actions and cannot be deleted.
import { ruleArn } from "../arn.js";
import { AwsError, checkRange, ruleNotFound, validationError } from "../errors.js";
import { has, int, list, requireStr, str, strList } from "../query.js";
import type { Handler } from "../runtime.js";
import type { Listener, Rule } from "../world.js";
import type { XmlValue } from "../xml.js";
import { readActions, renderAction } from "./actions.js";
import { readConditions, renderCondition } from "./conditions.js";
import { getListener, listenerOfDefaultRule } from "./lookup.js";
import { applyTags, readTags } from "./tags.js";

const MAX_RULES = 100;

export function renderRule(r: Rule): XmlValue {
  return {
    RuleArn: r.arn,
    Priority: String(r.priority),
    Conditions: r.conditions.map(renderCondition),
    Actions: r.actions.map(renderAction),
    IsDefault: false,
  };
}

function renderDefaultRule(l: Listener): XmlValue {
  return { RuleArn: l.defaultRuleArn, Priority: "default", Conditions: [], Actions: l.defaultActions.map(renderAction), IsDefault: true };
}

export const createRule: Handler = (rt, p) => {
  const listener = getListener(rt.world, requireStr(p, "ListenerArn"));
  const priority = int(p, "Priority");
  if (priority === undefined) throw validationError("A rule priority must be specified");
  checkRange("priority", priority, 1, 50000);
  const conditions = readConditions(list(p, "Conditions"));
  if (conditions.length === 0) throw validationError("A rule must have at least one condition");
  const actions = readActions(rt.world, list(p, "Actions"), "actions", listener.loadBalancerArn);
  const tags = readTags(list(p, "Tags"));
  const existing = rt.world.rulesOf(listener.arn);
  if (existing.some((r) => r.priority === priority)) throw new AwsError("PriorityInUse", `Priority '${priority}' is currently in use`);
  if (existing.length >= MAX_RULES) throw new AwsError("TooManyRules", "You've reached the limit on the number of rules per load balancer");
  const rule: Rule = { arn: ruleArn(listener.arn, `priority-${priority}`), listenerArn: listener.arn, priority, conditions, actions, tags: new Map() };
  applyTags(rule.tags, tags);
  rt.world.rules.set(rule.arn, rule);
  return { Rules: [renderRule(rule)] };
};

export const describeRules: Handler = (rt, p) => {
  const world = rt.world;
  if (has(p, "RuleArns")) {
    return {
      Rules: strList(p, "RuleArns").map((arn) => {
        const rule = world.rules.get(arn);
        if (rule) return renderRule(rule);
        const listener = listenerOfDefaultRule(world, arn);
        if (listener) return renderDefaultRule(listener);
        throw ruleNotFound();
      }),
    };
  }
  const listenerArn = str(p, "ListenerArn");
  if (listenerArn === undefined) throw validationError("You must specify either listener ARN or rule ARNs");
  const listener = getListener(world, listenerArn);
  return { Rules: [...world.rulesOf(listener.arn).map(renderRule), renderDefaultRule(listener)] };
};

export const modifyRule: Handler = (rt, p) => {
  const world = rt.world;
  const arn = requireStr(p, "RuleArn");
  const rule = world.rules.get(arn);
  const defaultOf = rule ? undefined : listenerOfDefaultRule(world, arn);
  if (!rule && !defaultOf) throw ruleNotFound();
  const listener = rule ? getListener(world, rule.listenerArn) : (defaultOf as Listener);
  const conditions = has(p, "Conditions") ? readConditions(list(p, "Conditions")) : undefined;
  const actions = has(p, "Actions") ? readActions(world, list(p, "Actions"), "actions", listener.loadBalancerArn) : undefined;
  if (!rule) {
    if (conditions && conditions.length > 0) throw new AwsError("OperationNotPermitted", "Conditions cannot be added to a default rule");
    if (actions) listener.defaultActions = actions;
    return { Rules: [renderDefaultRule(listener)] };
  }
  if (conditions) {
    if (conditions.length === 0) throw validationError("A rule must have at least one condition");
    rule.conditions = conditions;
  }
  if (actions) rule.actions = actions;
  return { Rules: [renderRule(rule)] };
};

export const deleteRule: Handler = (rt, p) => {
  const arn = requireStr(p, "RuleArn");
  if (listenerOfDefaultRule(rt.world, arn)) throw new AwsError("OperationNotPermitted", `Default rule '${arn}' cannot be deleted`);
  if (!rt.world.rules.delete(arn)) throw ruleNotFound();
  return {};
};
