// `status`: both switches, both colours, the lock and any release in flight. Its own module so a
// status loads only what it reads with: not the release, rollback or plan code (#17: status in
// half a second from a cold start).
import { describeWeights } from "../../domain/strategy.js";
import { type Colour, pollsAlone } from "../../domain/types.js";
import { disconnect } from "../../orchestrator/connect.js";
import { describeLease } from "../../orchestrator/lock.js";
import { guardedRead } from "../../orchestrator/port-guard.js";
import { status as readStatus, type StatusReport } from "../../orchestrator/status.js";
import { restartMarkRemedy, switchedRecord, switchedRecordRemedy } from "../../orchestrator/switched-record.js";
import type { Parsed } from "../args.js";
import { expectPositionals } from "../args.js";
import { loadEnv, openCtx } from "../env.js";
import { EXIT } from "../exit-codes.js";
import type { Output } from "../output.js";

/** Polling: `colour`'s poller alone takes the updates (the same reading as recover.ts's of a handover back). */
function handedBack(s: StatusReport, colour: Colour): boolean {
  return s.mode === "polling" && pollsAlone(colour, (c) => s.colours[c].containers.some((x) => x.running));
}

/** The remedy for what status found; never one that leads back to the same finding. */
function nextFor(s: StatusReport): string {
  if (s.unreachable.length > 0)
    return `bring ${s.unreachable.map((u) => u.instanceId).join(", ")} back (or check SSH access), then \`bluegreen status ${s.environment}\` again`;
  if (s.neverReleased) return `\`bluegreen release ${s.environment} --image <tag>\``;
  if (s.releaseInProgress?.kind === "rollback" && s.releaseInProgress.phase === "restarting")
    return `${restartMarkRemedy(s.environment)} (a release without that flag refuses until then)`;
  // A polling rollback past its handover back (its poller polls alone, ungated): `release` refuses it.
  if (s.releaseInProgress?.kind === "rollback" && handedBack(s, s.releaseInProgress.colour))
    return `\`bluegreen rollback ${s.environment}\` finishes the interrupted rollback (it gates the ${s.releaseInProgress.colour} poller, which polls again); a \`bluegreen release\` refuses until then (\`--allow-unhealthy-live\` abandons it)`;
  if (s.releaseInProgress?.kind === "rollback")
    return `\`bluegreen rollback ${s.environment}\` finishes the interrupted rollback (a \`bluegreen release\` abandons it)`;
  // Where `rollback` refuses (nothing older to return to), the refusal's own way out.
  const agree = s.webhook.colour === "shared" || s.webhook.colour === s.liveByListener;
  if (s.mode === "webhook" && agree && switchedRecord({ live: s.liveRelease, previous: s.previousRelease }, s.liveByListener) !== null)
    return switchedRecordRemedy(s.environment);
  return `\`bluegreen rollback ${s.environment}\` puts the recorded live release back on both switches`;
}

/** Warm only as observed (the record's window alone is no proof): otherwise cold, why, and what a rollback does then. */
function warmthText(s: StatusReport): string {
  const w = s.previousWarmth;
  if (w === null) return "";
  const unchecked = w.unchecked.length > 0 ? `; ${w.unchecked.join(", ")} unreachable, not checked` : "";
  if (w.warm) return `warm${s.previousWarmUntil !== null ? ` until ${s.previousWarmUntil}` : ""}: a rollback is instant${unchecked}`;
  return `cold: ${w.why.join("; ")}; a rollback restarts it (or stages it again) and gates it first${unchecked}`;
}

export function renderStatus(s: StatusReport): string[] {
  const u = s.unmanaged;
  const liveText = s.live ?? (u?.role === "live" ? `unmanaged (${u.targetGroupName}, not released by bluegreen)` : "none");
  const lines = [`${s.environment} (${s.mode} mode): live ${liveText}${s.liveRelease !== null ? ` — ${s.liveRelease.releaseId} ${s.liveRelease.image}` : ""}`];
  const polling = s.mode === "polling";
  if (s.pendingSwitch !== null)
    lines.push(
      `  mode switch pending: ${s.pendingSwitch.releaseId} runs in ${s.pendingSwitch.from} mode on ${s.pendingSwitch.colour}; the next release switches to ${s.pendingSwitch.to} (\`bluegreen plan ${s.environment}\` shows the steps)`,
    );
  if (!polling) lines.push(`  listener forwards to ${s.listener.forwardsTo.map((f) => `${f.targetGroup}=${f.weight}`).join(", ") || "(nothing)"}`);
  if (s.shift !== null)
    lines.push(`  shifting to ${s.shift.colour}: step ${s.shift.step}/${s.shift.of}, ${describeWeights(s.shift.weights[s.shift.colour], s.shift.colour)}`);
  lines.push(
    `  ${polling ? "poller" : "listener"} -> ${polling ? (s.live ?? "(none recorded)") : (s.liveByListener ?? "(not one colour)")}; webhook -> ${s.webhook.url === "" ? "(none)" : s.webhook.url} [${s.webhook.colour ?? "neither"}], pending ${s.webhook.pendingUpdateCount}${s.webhook.lastErrorMessage !== null ? `, last error ${new Date((s.webhook.lastErrorDate ?? 0) * 1000).toISOString()} ${s.webhook.lastErrorMessage}` : ""}`,
  );
  for (const c of ["blue", "green"] as const) {
    const k = s.colours[c];
    lines.push(polling ? `  ${c.padEnd(5)} release ${k.release ?? "-"}` : `  ${c.padEnd(5)} ${k.targetGroup} :${k.hostPort}  release ${k.release ?? "-"}`);
    for (const x of k.containers)
      lines.push(
        `        ${x.instanceId} ${x.name} ${x.mode === "polling" ? "poller " : ""}${x.status}${x.restarts > 0 ? `, ${x.restarts} restarts` : ""}${x.oomKilled ? ", OOM-killed" : ""} ${x.image ?? ""}`,
      );
    for (const t of k.targets) lines.push(`        target ${t.id}:${t.port} ${t.state}${t.reason !== undefined ? ` (${t.reason})` : ""}`);
  }
  if (u !== null) {
    lines.push(
      `  ${u.role === "live" ? "unmanaged (live)" : "previous: unmanaged"}: ${u.targetGroupName}, webhook ${u.webhookUrl === "" ? "(none)" : u.webhookUrl}`,
    );
    for (const c of u.containers) lines.push(`        ${c.instanceId} ${c.name} :${c.hostPort} ${c.image}`);
    if (u.role === "previous") lines.push(`        retire it once the release has baked: see "Retiring the pre-bluegreen container" in the README`);
  }
  if (s.previousRelease !== null) lines.push(`  previous: ${s.previousRelease.releaseId} on ${s.previousRelease.colour} (${warmthText(s)})`);
  for (const u of s.unreachable) lines.push(`  ✖ ${u.instanceId} (${u.address}) unreachable: ${u.reason}`);
  lines.push(`  lock: ${s.lock === null ? "free" : describeLease(s.lock)}`);
  for (const w of s.tagWarnings) lines.push(`  ⚠ ${w}`);
  if (s.neverReleased && s.consistent && u === null)
    lines.push(`  nothing has been released to ${s.environment} yet: \`bluegreen release ${s.environment} --image <tag>\``);
  else lines.push(s.consistent ? "  ✔ consistent" : `  ✖ needs a look:\n${s.problems.map((x) => `    - ${x}`).join("\n")}\n  next: ${nextFor(s)}`);
  return lines;
}

export async function status(p: Parsed, out: Output): Promise<number> {
  const [envName] = expectPositionals(p, ["ENV"]);
  const env = await loadEnv(envName ?? "", p.flags);
  const ctx = await openCtx(env, out, { requireHealthyInstances: false, tolerateUnreachable: true, readOnly: true });
  try {
    for (;;) {
      // status only reads: Telegram, AWS or SSH not answering is exit 1 with the cause, not drift.
      const s = await guardedRead(ctx, () => readStatus(ctx));
      if (p.flags.json) out.json(s);
      else {
        if (p.flags.watch && out.o.isTty) out.o.out.write("\u001b[2J\u001b[H");
        for (const l of renderStatus(s)) out.line(l);
      }
      if (!(p.flags.watch && out.o.isTty)) return s.consistent ? EXIT.ok : EXIT.needsHuman;
      await new Promise((r) => setTimeout(r, 2000));
    }
  } finally {
    await disconnect(ctx);
  }
}
