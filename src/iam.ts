// The only AWS actions bluegreen calls. The README's IAM policy lists exactly these, and a test
// proves (through the AWS emulator's call log) that a release, a rollback and a status stay inside.
export const READ_ACTIONS = [
  "elasticloadbalancing:DescribeLoadBalancers",
  "elasticloadbalancing:DescribeListeners",
  "elasticloadbalancing:DescribeRules",
  "elasticloadbalancing:DescribeTargetGroups",
  "elasticloadbalancing:DescribeTargetHealth",
  "elasticloadbalancing:DescribeTags",
  "ec2:DescribeInstances",
  "ec2:DescribeInstanceStatus",
] as const;

/** Scoped to the environment's listener. */
export const LISTENER_ACTIONS = ["elasticloadbalancing:ModifyListener", "elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"] as const;

/** Scoped to the two colours' target groups. */
export const TARGET_GROUP_ACTIONS = ["elasticloadbalancing:RegisterTargets"] as const;

/** Read-only CloudWatch: gates.alarms / gates.metrics, and counting the updates a bake saw (GetMetricData has no resource-level scoping). */
export const CLOUDWATCH_ACTIONS = ["cloudwatch:DescribeAlarms", "cloudwatch:GetMetricData"] as const;

export const ALL_ACTIONS: readonly string[] = [...READ_ACTIONS, ...LISTENER_ACTIONS, ...TARGET_GROUP_ACTIONS, ...CLOUDWATCH_ACTIONS];
