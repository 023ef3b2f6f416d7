// Whether the previous colour is warm is read from the hosts (and the ALB), never from the record:
// after a release over a dead live colour, a polling handover or an automatic rollback, the previous
// colour's containers are exited or hold another release, and a rollback to it restarts it and
// gates it. Its own module: `status` loads it without the release's recovery code (#17).
import { containerVerdict } from "../domain/gates.js";
import type { Colour } from "../domain/types.js";
import type { TargetHealthView } from "../ports.js";
import type { World } from "./observe.js";

/**
 * Why `colour` is not warm for `releaseId` as observed (empty: it is): each host's container must
 * hold that release (undefined: any of ours) and run; with `targets` (webhook mode), the ALB must
 * report each host's target healthy, as the rollback's own check before a warm move does. Pure.
 */
export function coldBecause(
  hosts: World["hosts"],
  colour: Colour,
  releaseId: string | undefined,
  targets?: { views: TargetHealthView[]; port: number; group: string },
): string[] {
  const why: string[] = [];
  for (const h of hosts) {
    const c = h.containers[colour];
    if (c === undefined) {
      why.push(`${h.instanceId}: no ${colour} container`);
      continue;
    }
    if (releaseId !== undefined && c.releaseId !== releaseId) {
      why.push(`${h.instanceId}: ${c.name} holds ${c.releaseId ?? "an unlabelled release"}${c.running ? "" : ` (${c.status})`}, not ${releaseId}`);
      continue;
    }
    const v = containerVerdict(c);
    if (v.kind !== "ok") {
      why.push(`${h.instanceId}: ${v.reason}`);
      continue;
    }
    if (targets === undefined) continue;
    const t = targets.views.find((x) => x.id === h.instanceId && x.port === targets.port);
    if (t === undefined) why.push(`${h.instanceId}: not registered in ${targets.group}`);
    else if (t.state !== "healthy") why.push(`${h.instanceId}: ${t.state} in ${targets.group}`);
  }
  return why;
}
