// The ELBv2 actions the emulator answers, by Action name.
import type { Handler } from "../runtime.js";
import { describeTargetGroupAttributes, modifyTargetGroupAttributes } from "./attributes.js";
import { createListener, describeListeners, modifyListener } from "./listeners.js";
import { createLoadBalancer, describeLoadBalancers } from "./load-balancers.js";
import { createRule, deleteRule, describeRules, modifyRule } from "./rules.js";
import { addTags, describeTags, removeTags } from "./tags.js";
import { createTargetGroup, describeTargetGroups, modifyTargetGroup } from "./target-groups.js";
import { deregisterTargets, describeTargetHealth, registerTargets } from "./targets.js";

export const ELBV2_VERSION = "2015-12-01";

export const elbv2Handlers: Record<string, Handler> = {
  CreateLoadBalancer: createLoadBalancer,
  DescribeLoadBalancers: describeLoadBalancers,
  CreateTargetGroup: createTargetGroup,
  DescribeTargetGroups: describeTargetGroups,
  ModifyTargetGroup: modifyTargetGroup,
  DescribeTargetGroupAttributes: describeTargetGroupAttributes,
  ModifyTargetGroupAttributes: modifyTargetGroupAttributes,
  CreateListener: createListener,
  DescribeListeners: describeListeners,
  ModifyListener: modifyListener,
  CreateRule: createRule,
  DescribeRules: describeRules,
  ModifyRule: modifyRule,
  DeleteRule: deleteRule,
  RegisterTargets: registerTargets,
  DeregisterTargets: deregisterTargets,
  DescribeTargetHealth: describeTargetHealth,
  AddTags: addTags,
  RemoveTags: removeTags,
  DescribeTags: describeTags,
};
