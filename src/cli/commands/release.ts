// `release ENV --image REF` and `promote FROM TO`: both end in orchestrator/release.ts.
import { createInterface } from "node:readline/promises";
import { crossEnvironmentErrors } from "../../config/index.js";
import { CancelledError, ConfigError, RollbackFailedError, UsageError } from "../../errors.js";
import { type NotifyEvent, notifyAndReport, WHILE_REPAIRING } from "../../notify/index.js";
import { disconnect } from "../../orchestrator/connect.js";
import { type ResolvedIdentity, resolvedIdentity, sharedIdentity } from "../../orchestrator/identity.js";
import { promotionSource } from "../../orchestrator/promote.js";
import { type ReleaseResult, release as runRelease } from "../../orchestrator/release.js";
import type { Parsed } from "../args.js";
import { expectPositionals } from "../args.js";
import { assertConfirmed, checkBakeOverride, imageRefFor, type LoadedEnv, loadEnv, newReleaseId, openCtx } from "../env.js";
import type { Output } from "../output.js";
import { plan } from "./plan.js";

/** A run that ends needing a human is worth a notification too; then the error goes on to main. */
export async function notifyingFailure<T>(env: LoadedEnv, out: Output, command: "release" | "rollback" | "promote", run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (e instanceof RollbackFailedError) {
      await notifyAndReport(
        env.config,
        { command, environment: env.config.environment, outcome: "needs-human", releaseId: "", image: "", colour: null, from: null, reason: e.message },
        out,
      );
    }
    if (e instanceof CancelledError) {
      // The printed error and the notification say one thing (review2 L4): what moved, if anything.
      const said = cancelledWords(env.config.environment, e);
      await notifyAndReport(
        env.config,
        { command, environment: env.config.environment, outcome: "cancelled", releaseId: "", image: "", colour: null, from: null, reason: said.sentence },
        out,
      );
      throw new CancelledError(e.signal, `${command} ${said.sentence}`, said.remedy);
    }
    throw e;
  }
}

/**
 * What a cancelled run says, without its subject: one sentence starting "cancelled by <signal>",
 * the format of every cancelled reason (the orchestrator's own too), so the printed error
 * ("<command> " + sentence) and the notification (its subject + sentence) say the same words.
 * A cancelled rollback stops between two steps and keeps its in-flight mark: the next `rollback`
 * finishes it (gated); a `release` abandons it, or refuses it past a restart's mark. A run stopped
 * with something already moved (switches on its colour, a poller handed over or started beside the
 * live one) says so itself, with its remedy: those words are kept.
 */
export function cancelledWords(environment: string, e: CancelledError): { sentence: string; remedy: string } {
  if (e.remedy !== undefined) return { sentence: e.message, remedy: e.remedy };
  return {
    sentence: `cancelled by ${e.signal} between two steps: nothing is half-moved`,
    remedy: `\`bluegreen rollback ${environment}\` finishes the interrupted rollback (\`bluegreen status ${environment}\` shows where it stopped)`,
  };
}

export async function confirm(env: LoadedEnv, p: Parsed, out: Output, what: string): Promise<void> {
  if (assertConfirmed(env.config, p.flags, out.o.isTty) === "ok") return;
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  const answer = await rl.question(`${env.config.environment} is protected. Type its name to ${what}: `);
  rl.close();
  if (answer.trim() !== env.config.environment) throw new UsageError("not confirmed: nothing was touched");
}

/**
 * The notification of a release's or promotion's outcome. One cancelled while it repaired an earlier
 * run (its remedy finishes that repair) says so, as the headline does, not "before traffic moved".
 */
export function notifyEventOf(command: "release" | "promote", environment: string, r: ReleaseResult): NotifyEvent {
  return {
    command,
    environment,
    outcome: r.outcome,
    releaseId: r.releaseId,
    image: r.image,
    colour: r.colour,
    from: r.from,
    ...(r.reason !== undefined ? { reason: r.reason } : {}),
    ...(r.outcome === "cancelled" && r.remedy !== undefined ? { repair: { next: r.remedy } } : {}),
  };
}

/**
 * What a rollback would find on the previous colour, as the run last saw it: warm only when its
 * containers run the previous release on every host; otherwise cold and why (the first two hosts'
 * reasons; `status` lists them all). The unmanaged release is never touched by a release.
 */
function previousText(r: ReleaseResult): string {
  const p = r.previousColour;
  if (p === undefined) return r.from !== null ? `; ${r.from} stays warm for an instant rollback` : "";
  if (p.warm) return `; ${p.colour} stays warm for an instant rollback`;
  const more = p.why.length > 2 ? `; and ${p.why.length - 2} more` : "";
  return `; ${p.colour} is cold (${p.why.slice(0, 2).join("; ")}${more}): a rollback restarts it (or stages it again) and gates it first`;
}

/** The human (or --json) end of a release or promote: the headline, why, logs and next step; returns the exit code. */
export function report(out: Output, command: string, environment: string, r: ReleaseResult): number {
  if (out.o.json) {
    out.json({ type: "result", command, environment, ...r });
    return r.exitCode;
  }
  if (r.recovered !== undefined) out.line(`note: ${r.recovered}`);
  for (const n of r.webhookRestored ?? []) out.line(`note: ${n}`);
  if (r.shifts !== undefined)
    out.line(
      `steps: ${r.shifts.map((s) => `${s.step}/${s.of} ${r.colour ?? "new colour"} ${s.percent}%`).join(" -> ")}${r.failedStep !== undefined ? ` (failed at ${r.failedStep.step}/${r.failedStep.of})` : ""}`,
    );
  if (r.bakeUpdates !== undefined && !r.bakeUpdates.verified) out.line(`note: bake: ${r.bakeUpdates.message}`);
  if (r.outcome === "released") out.line(`✔ released ${r.releaseId} (${r.image}) on ${r.colour} in ${environment}${previousText(r)}`);
  else if (r.outcome === "cancelled" && r.remedy === undefined && r.reason !== undefined) {
    // Cancelled before anything of it moved: its reason is the whole sentence (the signal, what was
    // stopped, the live release unchanged), as its notification says it after the subject. A headline
    // and a why would say the signal and "the live release is unchanged" twice.
    out.error(`✖ release ${r.releaseId} ${r.reason}`);
  } else {
    out.error(
      r.outcome === "cancelled" && r.remedy !== undefined
        ? // Stopped while repairing an earlier dead run: its "why" says what moved and what is left.
          `✖ release ${r.releaseId} cancelled by ${r.cancelledBy ?? "a signal"} ${WHILE_REPAIRING}`
        : r.outcome === "cancelled"
          ? `✖ release ${r.releaseId} cancelled by ${r.cancelledBy ?? "a signal"} before any traffic moved: the live release is unchanged`
          : r.outcome === "rolled-back" && r.cancelledBy !== undefined
            ? `✖ release ${r.releaseId} cancelled by ${r.cancelledBy} after the cutover and rolled back: ${r.from} is live again`
            : r.outcome === "rolled-back"
              ? `✖ release ${r.releaseId} failed ${r.failedStep !== undefined ? `at step ${r.failedStep.step}/${r.failedStep.of} (${r.failedStep.percent}% of traffic)` : "after the cutover"} and was rolled back: ${r.from} is live again`
              : `✖ release ${r.releaseId} failed before any traffic moved: the live release is unchanged`,
    );
    if (r.reason !== undefined) out.error(`  why: ${r.reason}`);
    if (r.logs !== undefined)
      out.error(
        r.logs
          .split("\n")
          .map((l) => `  | ${l}`)
          .join("\n"),
      );
    if (r.remedy !== undefined) out.error(`  next: ${r.remedy}`);
  }
  return r.exitCode;
}

export async function release(p: Parsed, out: Output): Promise<number> {
  if (p.flags.dryRun) return plan(p, out);
  const [envName] = expectPositionals(p, ["ENV"]);
  if (p.flags.image === undefined) throw new UsageError("release needs --image REF", "e.g. bluegreen release production --image v2 (a tag or @sha256:digest)");
  const env = await loadEnv(envName ?? "", p.flags);
  checkBakeOverride(env.config, p.flags);
  const imageRef = imageRefFor(env.config.container.image, p.flags.image);
  await confirm(env, p, out, "release");
  const ctx = await openCtx(env, out, { requireHealthyInstances: true, bakeMs: p.flags.bakeMs });
  try {
    const r = await notifyingFailure(env, out, "release", () =>
      runRelease(ctx, {
        imageRef,
        releaseId: newReleaseId(),
        bakeMs: ctx.settings.gates.bakeMs,
        lockWaitMs: p.flags.lockWaitMs,
        allowUnhealthyLive: p.flags.allowUnhealthyLive,
      }),
    );
    await notifyAndReport(env.config, notifyEventOf("release", env.config.environment, r), out);
    return report(out, "release", env.config.environment, r);
  } finally {
    await disconnect(ctx);
  }
}

export async function promote(p: Parsed, out: Output): Promise<number> {
  const [fromName, toName] = expectPositionals(p, ["FROM", "TO"]);
  const from = await loadEnv(fromName ?? "", p.flags);
  const to = await loadEnv(toName ?? "", p.flags);
  checkBakeOverride(to.config, p.flags);
  if (from.config.environment === to.config.environment) throw new UsageError("promote FROM TO needs two different environments");
  const cross = crossEnvironmentErrors(from, to);
  if (cross.length > 0) throw new ConfigError(cross);
  await confirm(to, p, out, "promote into it");
  const fromCtx = await openCtx(from, out, { requireHealthyInstances: false });
  let source: Awaited<ReturnType<typeof promotionSource>>;
  let fromIdentity: ResolvedIdentity;
  try {
    fromIdentity = await resolvedIdentity(fromCtx);
    source = await promotionSource(fromCtx);
  } finally {
    await disconnect(fromCtx);
  }
  out.step({ step: "promote", status: "info", message: `${source.environment} ${source.releaseId}: ${source.image}` });
  const ctx = await openCtx(to, out, { requireHealthyInstances: true, bakeMs: p.flags.bakeMs });
  try {
    // The files may spell one listener two ways (another profile or endpoint): compare what they resolve to.
    const shared = sharedIdentity(fromIdentity, await resolvedIdentity(ctx));
    if (shared.length > 0) throw new ConfigError(shared);
    const r = await notifyingFailure(to, out, "promote", () =>
      runRelease(ctx, {
        imageRef: `${to.config.container.image}@${source.digest}`,
        releaseId: newReleaseId(),
        bakeMs: ctx.settings.gates.bakeMs,
        lockWaitMs: p.flags.lockWaitMs,
        allowUnhealthyLive: p.flags.allowUnhealthyLive,
        promotedFrom: { environment: source.environment, releaseId: source.releaseId },
      }),
    );
    const promotedFrom = { environment: source.environment, releaseId: source.releaseId };
    await notifyAndReport(to.config, { ...notifyEventOf("promote", to.config.environment, r), promotedFrom }, out);
    return report(out, "promote", to.config.environment, { ...r, ...{ promotedFrom: { environment: source.environment, releaseId: source.releaseId } } });
  } finally {
    await disconnect(ctx);
  }
}
