// Deregistration: a target drains for the group's (scaled) deregistration delay and then leaves
// the group. Draining targets get no new requests; if requests were in flight, the drain ends as
// soon as the last one completes, as the ALB does.
import type { TargetGroup, TargetRecord } from "./world.js";

export function targetKey(id: string, port: number): string {
  return `${id}:${port}`;
}

export function deregistrationDelaySeconds(tg: TargetGroup): number {
  return Number(tg.attributes.get("deregistration_delay.timeout_seconds") ?? "300");
}

export function startDraining(tg: TargetGroup, rec: TargetRecord, timeScale: number): void {
  if (rec.draining) return;
  rec.draining = true;
  const ms = deregistrationDelaySeconds(tg) * 1000 * timeScale;
  if (ms <= 0) {
    removeTarget(tg, rec);
    return;
  }
  rec.drainTimer = setTimeout(() => removeTarget(tg, rec), ms);
  rec.drainTimer.unref();
}

/** A re-registered draining target is back in service (and starts its health checks over). */
export function cancelDraining(rec: TargetRecord): void {
  if (rec.drainTimer) clearTimeout(rec.drainTimer);
  rec.drainTimer = undefined;
  rec.draining = false;
}

export function requestStarted(rec: TargetRecord): void {
  rec.inFlight += 1;
}

export function requestFinished(tg: TargetGroup, rec: TargetRecord): void {
  rec.inFlight = Math.max(0, rec.inFlight - 1);
  if (rec.draining && rec.inFlight === 0) removeTarget(tg, rec);
}

function removeTarget(tg: TargetGroup, rec: TargetRecord): void {
  if (rec.drainTimer) clearTimeout(rec.drainTimer);
  rec.drainTimer = undefined;
  const key = targetKey(rec.id, rec.port);
  if (tg.targets.get(key) === rec) tg.targets.delete(key);
}

export function clearDrainTimers(tgs: Iterable<TargetGroup>): void {
  for (const tg of tgs) for (const rec of tg.targets.values()) if (rec.drainTimer) clearTimeout(rec.drainTimer);
}
