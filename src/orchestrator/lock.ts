// The deploy lock on the environment's first host (hosts sorted by instance id, so every machine
// picks the same one). A lease whose owner's pid is gone on this same machine, or whose time ran
// out, is taken over; anything else makes the caller wait (--lock-wait) or exit 75.
import { hostname, userInfo } from "node:os";
import pRetry, { AbortError } from "p-retry";
import { LockHeldError, PreflightError } from "../errors.js";
import { type Lease, leaseExpired, leaseTokens, lockCommands, lockPath, parseLease } from "../remote/lock.js";
import type { ConnectedHost, Ctx, UnreachableHost } from "./context.js";
import { mustExec } from "./context.js";

export function lockHost(hosts: ConnectedHost[], unreachable: UnreachableHost[] = []): ConnectedHost {
  const first = [...hosts].sort((a, b) => (a.instanceId < b.instanceId ? -1 : 1))[0];
  if (first === undefined) throw new LockHeldError("no hosts to hold the lock on", "check hosts in the environment file");
  // The lock and the history live on the first host of all: another host would be another lock, and a history that says nothing.
  const down = [...unreachable].sort((a, b) => (a.instanceId < b.instanceId ? -1 : 1))[0];
  if (down !== undefined && down.instanceId < first.instanceId) {
    throw new LockHostUnreachableError(
      `the lock and the history live on ${down.instanceId} (${down.address}), which is unreachable: ${down.reason}`,
      "bring the host back (or check SSH access to it) and run the command again",
    );
  }
  return first;
}

export class LockHostUnreachableError extends PreflightError {}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Why `lease` no longer holds the lock (null: it does): its time ran out, or its process is gone
 * on this same machine (another machine's pid cannot be checked from here). The rule acquireLock
 * takes a lock over by, and status's "in progress" or "interrupted".
 */
export function leaseStaleWhy(lease: Lease, nowMs: number): string | null {
  if (leaseExpired(lease, nowMs)) return `its lease expired at ${lease.expiresAt}`;
  if (lease.machine === hostname() && !pidAlive(lease.pid)) return `its process (pid ${lease.pid} on ${lease.machine}) is gone`;
  return null;
}

export function describeLease(l: Lease): string {
  return `${l.owner}@${l.machine} (pid ${l.pid}, ${l.command} ${l.releaseId}, since ${l.acquiredAt}, lease until ${l.expiresAt})`;
}

export async function readLease(ctx: Ctx): Promise<Lease | null> {
  const host = lockHost(ctx.hosts, ctx.unreachable);
  const res = await mustExec(host, lockCommands.read(lockPath(ctx.settings.lock.dir, ctx.settings.environment)));
  return parseLease(res.stdout);
}

export interface HeldLock {
  lease: Lease;
  release(): Promise<void>;
}

export async function acquireLock(ctx: Ctx, command: string, releaseId: string, waitMs: number): Promise<HeldLock> {
  let host: ConnectedHost;
  try {
    host = lockHost(ctx.hosts, ctx.unreachable);
  } catch (e) {
    // A rollback is what an incident needs: with the lock host down it locks on the first reachable host, and says so.
    if (!(e instanceof LockHostUnreachableError) || command !== "rollback") throw e;
    host = lockHost(ctx.hosts);
    ctx.reporter.step({ step: "lock", status: "info", message: `${e.message}; taking the lock on ${host.instanceId} for this rollback` });
  }
  const path = lockPath(ctx.settings.lock.dir, ctx.settings.environment);
  const now = ctx.clock.now();
  const lease: Lease = {
    owner: userInfo().username,
    machine: hostname(),
    pid: process.pid,
    releaseId,
    command,
    acquiredAt: new Date(now).toISOString(),
    expiresAt: new Date(now + ctx.settings.lock.leaseMs).toISOString(),
  };
  // --lock-wait: one step line for the whole wait (whose lock, since when), ended when the lock is ours.
  let waitingFor: Lease | null = null;
  // Real time: the retries below wait on real timers, whatever clock the run reads.
  const waitStart = Date.now();
  const tryOnce = async (): Promise<void> => {
    const res = await host.remote.exec(lockCommands.acquire(path), { stdin: JSON.stringify(lease) });
    if (res.code === 0) {
      if (waitingFor !== null)
        ctx.reporter.step({
          step: "lock",
          status: "ok",
          message: `got the lock after waiting ${seconds(Date.now() - waitStart)} for ${waitingFor.command} ${waitingFor.releaseId}`,
        });
      return;
    }
    const holder = parseLease((await mustExec(host, lockCommands.read(path))).stdout);
    const stale = holder === null || leaseStaleWhy(holder, ctx.clock.now()) !== null;
    if (stale) {
      ctx.reporter.step({
        step: "lock",
        status: "info",
        message: holder === null ? "taking over a lock with no lease" : `taking over the stale lock of ${describeLease(holder)}`,
      });
      await host.remote.exec(lockCommands.breakStale(path, `${process.pid}-${now}`));
      throw new Error("lock was stale; retrying");
    }
    const err = new LockHeldError(
      `another run holds the ${ctx.settings.environment} lock: ${describeLease(holder)}`,
      `wait for it to finish (or pass --lock-wait 5m); if it died, \`bluegreen lock release ${ctx.settings.environment} --force\``,
    );
    if (waitMs <= 0) throw new AbortError(err);
    if (waitingFor === null || waitingFor.releaseId !== holder.releaseId) {
      waitingFor = holder;
      ctx.reporter.step({ step: "lock", status: "start", message: `waiting up to ${seconds(waitMs)} for the lock held by ${describeLease(holder)}` });
    }
    throw err;
  };
  await pRetry(tryOnce, {
    retries: Math.max(2, Math.ceil(waitMs / 1000) + 2),
    factor: 1,
    minTimeout: waitMs > 0 ? 1000 : 10,
    maxTimeout: 1000,
    maxRetryTime: Math.max(waitMs, 5000),
    randomize: false,
  }).catch((e: unknown) => {
    const holder = waitingFor as Lease | null;
    if (holder !== null)
      ctx.reporter.step({
        step: "lock",
        status: "fail",
        message: `still held by ${holder.command} ${holder.releaseId} after waiting ${seconds(Date.now() - waitStart)}`,
      });
    throw e;
  });
  // A bake can outlast the lease (30m bake, 15m lease): renew at a third of the lease while we run,
  // so nobody takes over a lock whose holder is alive and working.
  let current = lease;
  const renewEvery = Math.max(1000, Math.floor(ctx.settings.lock.leaseMs / 3));
  const timer = setInterval(() => {
    current = { ...current, expiresAt: new Date(Date.now() + ctx.settings.lock.leaseMs).toISOString() };
    host.remote.exec(lockCommands.renew(path, `"acquiredAt":"${lease.acquiredAt}"`), { stdin: JSON.stringify(current) }).catch(() => undefined);
  }, renewEvery);
  timer.unref();
  return {
    lease,
    release: async () => {
      clearInterval(timer);
      // Only our own lease is removed: a takeover by someone else after our lease expired stays
      // theirs. Checked and removed on the host in one exec (#17).
      await host.remote.exec(lockCommands.releaseIfMine(path, leaseTokens(lease)));
    },
  };
}

const seconds = (ms: number): string => (ms >= 60_000 && ms % 60_000 === 0 ? `${ms / 60_000}m` : `${(ms / 1000).toFixed(1)}s`);

export async function forceReleaseLock(ctx: Ctx): Promise<void> {
  await mustExec(lockHost(ctx.hosts, ctx.unreachable), lockCommands.release(lockPath(ctx.settings.lock.dir, ctx.settings.environment)));
}
