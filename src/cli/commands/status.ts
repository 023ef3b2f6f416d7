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
  const f = s.releaseInProgress;
  // A live run holds the lock: a release or rollback now would wait for it (75); it ends by itself.
  if (f !== null && s.runInProgress && s.lock !== null)
    return `wait for the ${s.lock.command} to end (\`bluegreen status ${s.environment} --watch\` on a terminal follows it); a release started now with \`--lock-wait <duration>\` (e.g. 30m) waits for the lock, without it exits 75`;
  // A dead release (its lease expired, its process gone, or no lock): the next release or rollback undoes it.
  if (f?.kind === "release")
    return `the release was interrupted: the next \`bluegreen release ${s.environment} --image <tag>\` undoes it before its own, or \`bluegreen rollback ${s.environment}\` undoes it alone (either takes over a stale lock)`;
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
  if (s.liveUnhealthy !== null && (agree || s.mode === "polling")) return liveUnhealthyRemedy(s);
  return `\`bluegreen rollback ${s.environment}\` puts the recorded live release back on both switches`;
}

/**
 * The live colour does not serve (its containers or targets are down, or Telegram fails to deliver
 * to it): what `rollback` really does here (the previous release, not the recorded live one), or
 * bringing the live release back.
 */
function liveUnhealthyRemedy(s: StatusReport): string {
  const env = s.environment;
  const live = s.live ?? s.liveByListener;
  const prev = s.previousRelease;
  const back =
    prev !== null && live !== null && prev.colour !== live
      ? `\`bluegreen rollback ${env}\` returns to the previous release ${prev.releaseId} on ${prev.colour} (${s.previousWarmth?.warm === true ? "warm: instant" : "cold: restarted and gated first"})`
      : null;
  const names = live === null ? [] : [...new Set(s.colours[live].containers.map((c) => c.name))];
  const own =
    s.liveUnhealthy === "deliveries"
      ? `read \`docker logs ${names[0] ?? "<container>"}\` on the hosts and release a fixed image: \`bluegreen release ${env} --image <tag>\``
      : `${names.length > 0 ? `start the live ${live} containers again (\`docker start ${names.join(" ")}\` on the hosts where they stopped), or ` : ""}release a known-good image: \`bluegreen release ${env} --image <tag> --allow-unhealthy-live\``;
  return back !== null ? `${back}; or ${own}` : own;
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

/**
 * 0 consistent; 75 while a live run holds the lock with its record in flight (CLI.md's 75: another
 * run holds the lock, nothing was touched; it ends by itself, and a release now would exit 75 too);
 * 3 otherwise (drift, an interrupted run, a live colour that does not serve, an unreachable host).
 */
export function exitOf(s: StatusReport): number {
  if (s.consistent) return EXIT.ok;
  return s.runInProgress ? EXIT.locked : EXIT.needsHuman;
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
      if (!(p.flags.watch && out.o.isTty)) return exitOf(s);
      await new Promise((r) => setTimeout(r, 2000));
    }
  } finally {
    await disconnect(ctx);
  }
}
