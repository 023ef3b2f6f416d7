// RegisterTargets / DeregisterTargets / DescribeTargetHealth.
import { isIP } from "node:net";
import { cancelDraining, startDraining, targetKey } from "../draining.js";
import { AwsError, checkRange, validationError } from "../errors.js";
import { resetChecks } from "../health-checker.js";
import { int, list, type QueryNode, requireStr, str } from "../query.js";
import type { Handler } from "../runtime.js";
import { currentHealth, NOT_REGISTERED, REGISTRATION_IN_PROGRESS } from "../target-health.js";
import type { TargetGroup, TargetHealth, TargetRecord, World } from "../world.js";
import type { XmlValue } from "../xml.js";
import { getTargetGroup } from "./lookup.js";

const invalidTarget = () =>
  new AwsError("InvalidTarget", "The specified target does not exist, is not in the same VPC as the target groups, or has an unsupported instance type.");

interface TargetRef {
  id: string;
  port?: number;
}

function readTargets(tg: TargetGroup, world: World, nodes: QueryNode[]): TargetRef[] {
  return nodes.map((n) => {
    const id = str(n, "Id");
    if (!id) throw validationError("1 validation error detected: Value null at 'targets.member.id' failed to satisfy constraint: Member must not be null");
    const port = int(n, "Port");
    checkRange("targets.member.port", port, 1, 65535);
    if (tg.targetType === "instance" && !world.instances.has(id)) throw invalidTarget();
    if (tg.targetType === "ip" && isIP(id) !== 4) throw validationError(`The IP address '${id}' is not a valid IPv4 address`);
    return port === undefined ? { id } : { id, port };
  });
}

export const registerTargets: Handler = (rt, p) => {
  const tg = getTargetGroup(rt.world, requireStr(p, "TargetGroupArn"));
  const refs = readTargets(tg, rt.world, list(p, "Targets"));
  if (refs.length === 0)
    throw validationError(
      "1 validation error detected: Value '[]' at 'targets' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
  if (tg.targetType === "instance") {
    const notRunning = refs.filter((r) => rt.world.instances.get(r.id)?.state !== "running").map((r) => `'${r.id}'`);
    if (notRunning.length > 0) {
      throw new AwsError("InvalidTarget", `The following targets are not in a running state and can not be registered: ${notRunning.join(", ")}`);
    }
  }
  for (const ref of refs) {
    const port = ref.port ?? tg.port;
    const key = targetKey(ref.id, port);
    const existing = tg.targets.get(key);
    if (existing) {
      if (existing.draining) {
        cancelDraining(existing);
        resetChecks(existing);
      }
      continue;
    }
    tg.targets.set(key, { id: ref.id, port, checked: REGISTRATION_IN_PROGRESS, passes: 0, fails: 0, draining: false, inFlight: 0 });
  }
  return {};
};

export const deregisterTargets: Handler = (rt, p) => {
  const tg = getTargetGroup(rt.world, requireStr(p, "TargetGroupArn"));
  const refs = readTargets(tg, rt.world, list(p, "Targets"));
  if (refs.length === 0)
    throw validationError(
      "1 validation error detected: Value '[]' at 'targets' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
  for (const ref of refs) {
    // Deregistering a target that is not registered is a no-op, as on AWS.
    for (const rec of matching(tg, ref)) startDraining(tg, rec, rt.timeScale);
  }
  return {};
};

function matching(tg: TargetGroup, ref: TargetRef): TargetRecord[] {
  return [...tg.targets.values()].filter((r) => r.id === ref.id && (ref.port === undefined || r.port === ref.port));
}

function healthCheckPort(tg: TargetGroup, port: number): string {
  return tg.healthCheck.port === "traffic-port" ? String(port) : tg.healthCheck.port;
}

function describe(tg: TargetGroup, id: string, port: number, health: TargetHealth): XmlValue {
  return {
    Target: { Id: id, Port: port },
    HealthCheckPort: healthCheckPort(tg, port),
    TargetHealth: { State: health.state, Reason: health.reason, Description: health.description },
  };
}

export const describeTargetHealth: Handler = (rt, p) => {
  const world = rt.world;
  const tg = getTargetGroup(world, requireStr(p, "TargetGroupArn"));
  const refs = readTargets(tg, world, list(p, "Targets"));
  if (refs.length === 0) {
    return { TargetHealthDescriptions: [...tg.targets.values()].map((r) => describe(tg, r.id, r.port, currentHealth(world, tg, r))) };
  }
  const out: XmlValue[] = [];
  for (const ref of refs) {
    const recs = matching(tg, ref);
    if (recs.length === 0) out.push(describe(tg, ref.id, ref.port ?? tg.port, NOT_REGISTERED));
    for (const r of recs) out.push(describe(tg, r.id, r.port, currentHealth(world, tg, r)));
  }
  return { TargetHealthDescriptions: out };
};
