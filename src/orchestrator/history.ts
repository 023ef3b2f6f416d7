// Audit records: one JSON line per release, rollback or promotion, appended on the lock host, so
// `history` reads the same story from any machine. Never holds a secret (ids, images, reasons only).

import { PreflightError } from "../errors.js";
import { appendLine, readFile } from "../remote/files.js";
import { redact } from "../util/redact.js";
import type { Ctx } from "./context.js";
import { mustExec } from "./context.js";
import { lockHost } from "./lock.js";

export interface AuditRecord {
  at: string;
  environment: string;
  kind: "release" | "rollback" | "promote";
  outcome: "released" | "rolled-back" | "failed" | "needs-human" | "cancelled";
  releaseId: string;
  image: string;
  colour: string;
  from: string | null;
  automatic?: boolean;
  reason?: string;
  /** What bluegreen had to put back on the webhook during the run (a bot deleted or moved it). */
  webhookRestored?: string[];
  /** Whether any update reached the new colour during the bake, e.g. "no update arrived: unverified". */
  bakeUpdates?: string;
  promotedFrom?: { environment: string; releaseId: string };
  /** canary/linear: the steps taken, e.g. ["1/2 10%", "2/2 100%"]. */
  shifts?: string[];
  /** canary/linear: the step whose gates failed, e.g. "1/2 10%". */
  failedStep?: string;
  /** The first release took over from what served before bluegreen (the unmanaged release). */
  adopted?: { targetGroup: string; webhookUrl: string; containers: { instanceId: string; name: string; image: string; hostPort: number }[] };
  by: string;
  durationMs: number;
  /** A dead run this one repaired or abandoned first (what it found, what it did). */
  recovered?: string;
  /** Hooks that ran, with their (redacted) output. */
  hooks?: { name: string; code: number | null; timedOut: boolean; durationMs: number; output: string }[];
}

export async function appendAudit(ctx: Ctx, record: AuditRecord): Promise<void> {
  await mustExec(lockHost(ctx.hosts, ctx.unreachable), appendLine(ctx.settings.historyFile), { stdin: `${redact(JSON.stringify(record))}\n` });
}

export async function readAudit(ctx: Ctx): Promise<AuditRecord[]> {
  const host = lockHost(ctx.hosts, ctx.unreachable);
  const res = await mustExec(host, readFile(ctx.settings.historyFile));
  const lines = res.stdout.split("\n").filter((l) => l.trim() !== "");
  const records = lines.flatMap((l) => {
    try {
      const r: unknown = JSON.parse(l);
      return typeof r === "object" && r !== null && !Array.isArray(r) ? [r as AuditRecord] : [];
    } catch {
      return [];
    }
  });
  // A file full of something else is not "no releases recorded": say what was found instead.
  if (lines.length > 0 && records.length === 0)
    throw new PreflightError(
      `the history ${ctx.settings.historyFile} on ${host.instanceId} holds ${lines.length} line${lines.length === 1 ? "" : "s"}, none of them a release record (one JSON object per line)`,
      `look at the file on ${host.instanceId}; move it aside if it is not bluegreen's history (the next release starts a new one)`,
    );
  return records.reverse();
}
