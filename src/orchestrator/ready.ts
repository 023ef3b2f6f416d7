// The guard every move of traffic back to a colour goes through: it is ready only if, right now,
// every host runs the expected release there (labels read from the engine) and the ALB reports
// each of its targets healthy. A colour whose containers are gone is never "warm" because a tag
// says so: moving traffic to it is an outage (issue #18, case 1).
import { containerVerdict } from "../domain/gates.js";
import type { Colour } from "../domain/types.js";
import { inspectContainers } from "./containers.js";
import type { Ctx } from "./context.js";
import { mapLimit } from "./context.js";
import type { World } from "./observe.js";

/**
 * What stands between `colour` and traffic; empty when it may take traffic now. `seen`: a world this
 * run has just observed (no extra calls); without one, the ALB and the hosts are read now.
 */
export async function notReadyForTraffic(ctx: Ctx, colour: Colour, releaseId: string | undefined, seen?: World): Promise<string[]> {
  const port = ctx.settings.hostPorts[colour];
  const [health, hosts] =
    seen !== undefined
      ? [seen.health[colour], seen.hosts.map((h) => ({ id: h.instanceId, container: h.containers[colour], error: null }))]
      : await Promise.all([
          ctx.lb.targetHealth(ctx.targetGroups[colour].arn),
          mapLimit(ctx.hosts, ctx.settings.rollout.hostConcurrency, async (h) => {
            try {
              return { id: h.instanceId, container: (await inspectContainers(h, ctx.settings.container.name))[colour], error: null };
            } catch (e) {
              return { id: h.instanceId, container: undefined, error: e instanceof Error ? e.message : String(e) };
            }
          }),
        ]);
  const problems: string[] = [];
  // With every host unreachable, only the ALB can vouch for the colour.
  if (hosts.length === 0 && !health.some((t) => t.state === "healthy")) problems.push(`no target of ${ctx.targetGroups[colour].name} is healthy`);
  for (const h of hosts) {
    if (h.error !== null) {
      problems.push(`${h.id}: cannot read its containers (${h.error})`);
      continue;
    }
    const v = containerVerdict(h.container);
    if (v.kind !== "ok") problems.push(`${h.id}: ${v.reason}`);
    else if (releaseId !== undefined && h.container?.releaseId !== releaseId) {
      problems.push(`${h.id}: the ${colour} container runs ${h.container?.releaseId ?? "an unlabelled release"}, not ${releaseId}`);
    }
    const t = health.find((x) => x.id === h.id && x.port === port);
    if (t === undefined) problems.push(`${h.id}: not registered in ${ctx.targetGroups[colour].name}`);
    else if (t.state !== "healthy") problems.push(`${h.id}: ${t.state} in ${ctx.targetGroups[colour].name}`);
  }
  return problems;
}
