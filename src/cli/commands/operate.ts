// `rollback`, `history`, `lock`: the rest of the operator's day (`status` is commands/status.ts).

import { hostname } from "node:os";
import { createInterface } from "node:readline/promises";
import { BluegreenError, LockHeldError, PreflightError, UsageError } from "../../errors.js";
import { notifyAndReport } from "../../notify/index.js";
import { disconnect } from "../../orchestrator/connect.js";
import { readAudit } from "../../orchestrator/history.js";
import { describeLease, forceReleaseLock, readLease } from "../../orchestrator/lock.js";
import { guardedRead } from "../../orchestrator/port-guard.js";
import { rollback as runRollback } from "../../orchestrator/rollback.js";
import { leaseExpired } from "../../remote/lock.js";
import { redact } from "../../util/redact.js";
import type { Parsed } from "../args.js";
import { expectPositionals } from "../args.js";
import { loadEnv, newReleaseId, openCtx } from "../env.js";
import { EXIT } from "../exit-codes.js";
import type { Output } from "../output.js";
import { confirm, notifyingFailure } from "./release.js";

export async function rollback(p: Parsed, out: Output): Promise<number> {
  const [envName] = expectPositionals(p, ["ENV"]);
  const env = await loadEnv(envName ?? "", p.flags);
  await confirm(env, p, out, "roll back");
  // A warm rollback needs only the ALB and Telegram: an unreachable host must not make it impossible.
  const ctx = await openCtx(env, out, { requireHealthyInstances: false, tolerateUnreachable: true });
  try {
    const r = await notifyingFailure(env, out, "rollback", () => runRollback(ctx, { lockWaitMs: p.flags.lockWaitMs, runId: newReleaseId() }));
    await notifyAndReport(
      env.config,
      {
        command: "rollback",
        environment: env.config.environment,
        outcome: r.outcome,
        releaseId: r.releaseId,
        image: r.image,
        colour: r.colour,
        from: r.from,
        reason: r.message,
      },
      out,
    );
    if (p.flags.json) out.json({ type: "result", command: "rollback", environment: env.config.environment, ...r });
    else {
      if (r.recovered !== undefined) out.line(`note: ${r.recovered}`);
      for (const n of r.webhookRestored ?? []) out.line(`note: ${n}`);
      out.line(`✔ ${r.message}`);
    }
    return EXIT.ok;
  } finally {
    await disconnect(ctx);
  }
}

export async function history(p: Parsed, out: Output): Promise<number> {
  const [envName] = expectPositionals(p, ["ENV"]);
  const env = await loadEnv(envName ?? "", p.flags);
  const ctx = await openCtx(env, out, { requireHealthyInstances: false, tolerateUnreachable: true });
  try {
    const records = (
      await readAudit(ctx).catch((e: unknown) => {
        // "No releases recorded" would be a lie when the file could not be read: say why instead.
        if (e instanceof BluegreenError) throw e;
        throw new PreflightError(
          `cannot read the history ${ctx.settings.historyFile}: ${redact(e instanceof Error ? e.message : String(e))}`,
          "check that the file on the lock host (the first host by instance id) is readable by the SSH user",
        );
      })
    ).slice(0, p.flags.limit);
    if (p.flags.json) out.json({ type: "result", command: "history", outcome: "listed", exitCode: EXIT.ok, environment: env.config.environment, records });
    else if (records.length === 0) out.line(`no releases recorded for ${env.config.environment} yet`);
    else
      for (const r of records)
        out.line(
          `${r.at}  ${r.kind.padEnd(8)} ${r.outcome.padEnd(11)} ${r.releaseId} ${r.colour} ${r.image}${r.automatic === true ? " (automatic)" : ""}${r.promotedFrom !== undefined ? ` from ${r.promotedFrom.environment} ${r.promotedFrom.releaseId}` : ""}${r.adopted !== undefined ? ` (adopted the unmanaged ${r.adopted.targetGroup}: ${r.adopted.containers.map((c) => `${c.instanceId} ${c.name}`).join(", ")})` : ""}${r.reason !== undefined ? ` — ${r.reason}` : ""}${r.recovered !== undefined ? ` [first: ${r.recovered}]` : ""}${r.webhookRestored !== undefined ? ` [webhook restored: ${r.webhookRestored.join("; ")}]` : ""}${r.bakeUpdates !== undefined && !r.bakeUpdates.endsWith(": verified") ? ` [bake: ${r.bakeUpdates}]` : ""}`,
        );
    return EXIT.ok;
  } finally {
    await disconnect(ctx);
  }
}

export async function lock(p: Parsed, out: Output): Promise<number> {
  const [action, envName] = expectPositionals(p, ["status|release", "ENV"]);
  if (action !== "status" && action !== "release")
    throw new UsageError(`lock ${JSON.stringify(action)}: unknown action`, "use `bluegreen lock status ENV` or `bluegreen lock release ENV [--force]`");
  const env = await loadEnv(envName ?? "", p.flags);
  const ctx = await openCtx(env, out, { requireHealthyInstances: false });
  try {
    const lease = await guardedRead(ctx, () => readLease(ctx));
    const environment = env.config.environment;
    // --json: stdout is NDJSON only, its last line the result with outcome and exitCode (CLI.md).
    const result = (outcome: string, extra: Record<string, unknown>): number => {
      out.json({ type: "result", command: "lock", action, outcome, exitCode: EXIT.ok, environment, ...extra });
      return EXIT.ok;
    };
    if (action === "status") {
      const expired = lease !== null && leaseExpired(lease, Date.now());
      if (p.flags.json) return result(lease === null ? "free" : "held", { lock: lease, ...(lease !== null ? { expired } : {}) });
      out.line(lease === null ? `${environment}: the lock is free` : `${environment}: held by ${describeLease(lease)}${expired ? " (expired)" : ""}`);
      return EXIT.ok;
    }
    if (lease === null) {
      if (p.flags.json) return result("already-free", { released: null });
      out.line(`${environment}: the lock is already free`);
      return EXIT.ok;
    }
    const mine = lease.machine === hostname() && lease.pid === process.pid;
    if (!mine && !leaseExpired(lease, Date.now()) && !p.flags.force) {
      // Another run holds it: the exit code says so (75, CLI.md's "another release holds the lock:
      // nothing was touched"), as a release refused by the same lease does; 64 read as a typo.
      throw new LockHeldError(
        `the ${environment} lock is held by ${describeLease(lease)} and has not expired; nothing was touched`,
        `wait for that run (\`bluegreen lock status ${environment}\`), or pass --force if you are sure it is dead`,
      );
    }
    if (p.flags.force && !leaseExpired(lease, Date.now())) {
      if (!out.o.isTty && !p.flags.yes) throw new UsageError("--force on a live lease needs confirmation and there is no terminal", "pass --yes as well");
      if (out.o.isTty && !p.flags.yes) {
        const rl = createInterface({ input: process.stdin, output: process.stderr });
        const answer = await rl.question(`Remove the lock held by ${describeLease(lease)}? Type yes: `);
        rl.close();
        if (answer.trim() !== "yes") throw new UsageError("not confirmed: the lock is untouched");
      }
    }
    await forceReleaseLock(ctx);
    if (p.flags.json) return result("released", { released: lease });
    out.line(`${environment}: lock released (was ${describeLease(lease)})`);
    return EXIT.ok;
  } finally {
    await disconnect(ctx);
  }
}
