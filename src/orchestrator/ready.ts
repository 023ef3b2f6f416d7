// The guard every move of traffic back to a colour goes through: it is ready only if, right now,
// every host runs the expected release there (labels read from the engine) and the ALB reports
// each of its targets healthy. A colour whose containers are gone is never "warm" because a tag
// says so: moving traffic to it is an outage (issue #18, case 1).
import { containerVerdict } from "../domain/gates.js";
import type { Colour } from "../domain/types.js";
import { inspectContainers } from "./containers.js";
import type { Ctx } from "./context.js";
import { mapLimit } from "./context.js";

/** What stands between `colour` and traffic; empty when it may take traffic now. */
export async function notReadyForTraffic(ctx: Ctx, colour: Colour, releaseId: string | undefined): Promise<string[]> {
  const port = ctx.settings.hostPorts[colour];
  const [health, hosts] = await Promise.all([
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
