// What DescribeTargetHealth reports for a target, combining registration, instance state, whether
// a listener references the group, and the health-check results. Reasons and descriptions follow
// the ALB's own wording.
import type { TargetGroup, TargetHealth, TargetRecord, World } from "./world.js";

export const REGISTRATION_IN_PROGRESS: TargetHealth = {
  state: "initial",
  reason: "Elb.RegistrationInProgress",
  description: "Target registration is in progress",
};
export const INITIAL_HEALTH_CHECKING: TargetHealth = {
  state: "initial",
  reason: "Elb.InitialHealthChecking",
  description: "Initial health checks in progress",
};
export const HEALTHY: TargetHealth = { state: "healthy" };
export const NOT_REGISTERED: TargetHealth = {
  state: "unused",
  reason: "Target.NotRegistered",
  description: "Target is not registered to the target group",
};
export const NOT_IN_USE: TargetHealth = {
  state: "unused",
  reason: "Target.NotInUse",
  description: "Target group is not configured to receive traffic from the load balancer",
};
export const DRAINING: TargetHealth = {
  state: "draining",
  reason: "Target.DeregistrationInProgress",
  description: "Target deregistration is in progress",
};
export const HEALTH_CHECK_DISABLED: TargetHealth = {
  state: "unavailable",
  reason: "Target.HealthCheckDisabled",
  description: "Health checks are disabled",
};

export function invalidState(instanceState: string): TargetHealth {
  return { state: "unused", reason: "Target.InvalidState", description: `Target is in the ${instanceState} state` };
}

export function responseCodeMismatch(code: number): TargetHealth {
  return {
    state: "unhealthy",
    reason: "Target.ResponseCodeMismatch",
    description: `Health checks failed with these codes: [${code}]`,
  };
}
export const TIMED_OUT: TargetHealth = { state: "unhealthy", reason: "Target.Timeout", description: "Request timed out" };
export const FAILED: TargetHealth = { state: "unhealthy", reason: "Target.FailedHealthChecks", description: "Health checks failed" };

export function currentHealth(world: World, tg: TargetGroup, rec: TargetRecord): TargetHealth {
  if (rec.draining) return DRAINING;
  if (tg.targetType === "instance") {
    const instance = world.instances.get(rec.id);
    if (!instance) return invalidState("terminated");
    if (instance.state !== "running") return invalidState(instance.state);
  }
  if (!world.isReferenced(tg.arn)) return NOT_IN_USE;
  if (!tg.healthCheck.enabled) return HEALTH_CHECK_DISABLED;
  return rec.checked;
}

/** The address the ALB connects to for a target: the instance's private IP, or the id itself for ip targets. */
export function targetAddress(world: World, tg: TargetGroup, rec: TargetRecord): string | undefined {
  if (tg.targetType === "ip") return rec.id;
  return world.instances.get(rec.id)?.privateIp;
}

/** Whether the health checker should be probing this target right now. */
export function shouldCheck(world: World, tg: TargetGroup, rec: TargetRecord): boolean {
  const h = currentHealth(world, tg, rec);
  return h.state === "initial" || h.state === "healthy" || h.state === "unhealthy";
}
