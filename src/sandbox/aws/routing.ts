// Data-plane decisions: which rule matches a request, which target group of a forward action
// takes it (smooth weighted round-robin, so weights show up exactly over a window of requests),
// and which target of that group (round-robin over healthy targets, failing open when none is).
import { currentHealth } from "./target-health.js";
import type { Action, Condition, ForwardAction, Listener, TargetGroup, TargetRecord, World } from "./world.js";

export interface RequestFacts {
  path: string;
  host: string;
  method: string;
  headers: Record<string, string | string[] | undefined>;
}

export function selectAction(world: World, listener: Listener, req: RequestFacts): Action | undefined {
  for (const rule of world.rulesOf(listener.arn)) {
    if (rule.conditions.every((c) => conditionMatches(c, req))) return rule.actions[0];
  }
  return listener.defaultActions[0];
}

export function conditionMatches(c: Condition, req: RequestFacts): boolean {
  switch (c.field) {
    case "path-pattern":
      return c.values.some((v) => wildcard(v, "").test(req.path));
    case "host-header": {
      const host = req.host.replace(/:\d+$/, "");
      return c.values.some((v) => wildcard(v, "i").test(host));
    }
    case "http-request-method":
      return c.values.includes(req.method);
    case "http-header": {
      const raw = req.headers[(c.httpHeaderName ?? "").toLowerCase()];
      const values = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
      return values.some((h) => c.values.some((v) => wildcard(v, "i").test(h)));
    }
    default:
      return false;
  }
}

/** ALB patterns: `*` matches any run of characters, `?` exactly one; everything else is literal. */
export function wildcard(pattern: string, flags: string): RegExp {
  const body = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${body}$`, flags);
}

const wrrState = new WeakMap<ForwardAction, number[]>();

/** Smooth weighted round-robin (as nginx does); weight-0 groups are never chosen. */
export function pickTargetGroup(action: ForwardAction): string | undefined {
  const groups = action.targetGroups;
  const total = groups.reduce((sum, g) => sum + g.weight, 0);
  if (total === 0) return undefined;
  const current = wrrState.get(action) ?? groups.map(() => 0);
  let best = -1;
  groups.forEach((g, i) => {
    current[i] = (current[i] ?? 0) + g.weight;
    if (g.weight > 0 && (best < 0 || (current[i] ?? 0) > (current[best] ?? 0))) best = i;
  });
  current[best] = (current[best] ?? 0) - total;
  wrrState.set(action, current);
  return groups[best]?.targetGroupArn;
}

const rrState = new WeakMap<TargetGroup, number>();

/** Round-robin over healthy targets; with none healthy the ALB fails open to every registered, non-draining one. */
export function pickTarget(world: World, tg: TargetGroup): TargetRecord | undefined {
  const candidates = [...tg.targets.values()].filter((r) => !r.draining);
  if (candidates.length === 0) return undefined;
  const healthy = candidates.filter((r) => {
    const state = currentHealth(world, tg, r).state;
    return state === "healthy" || state === "unavailable";
  });
  const pool = healthy.length > 0 ? healthy : candidates;
  const next = rrState.get(tg) ?? 0;
  rrState.set(tg, next + 1);
  return pool[next % pool.length];
}
