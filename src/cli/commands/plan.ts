// `plan ENV --image REF` (and `release --dry-run`): the steps and exact host commands a release would
// run, per host one exec per phase with its steps (plan-host.ts). Reads the live colour, hosts and listener
// as a release would; when they cannot be read there is no plan (exit 1 with the cause), never a guess.
import type { RolloutStrategy } from "../../config/types.js";
import { describeWeights, shiftSteps } from "../../domain/strategy.js";
import { listenerBeforeSwitch, type SwitchSource, switchSource } from "../../domain/switch.js";
import { liveByWebhook } from "../../domain/traffic.js";
import { type Colour, otherColour } from "../../domain/types.js";
import { BluegreenError, PreflightError, UsageError } from "../../errors.js";
import { disconnect } from "../../orchestrator/connect.js";
import { stopArgv } from "../../orchestrator/containers.js";
import type { Ctx } from "../../orchestrator/context.js";
import type { World } from "../../orchestrator/observe.js";
import { observe, startingLive } from "../../orchestrator/observe.js";
import { beforeAnyChange } from "../../orchestrator/port-guard.js";
import { firstReadingRefusal } from "../../orchestrator/release.js";
import { settingsFromConfig } from "../../orchestrator/settings-from-config.js";
import { observeAdoption, type UnmanagedRelease } from "../../orchestrator/unmanaged.js";
import { containerName, docker } from "../../remote/docker.js";
import { lockCommands, lockPath } from "../../remote/lock.js";
import { formatArgvForDisplay } from "../../remote/quote.js";
import type { Parsed } from "../args.js";
import { expectPositionals } from "../args.js";
import { checkBakeOverride, imageRefFor, loadEnv, openCtx } from "../env.js";
import { EXIT } from "../exit-codes.js";
import type { Output } from "../output.js";
import { execLines, hostExecs, stagingCommands } from "./plan-host.js";
import { switchSteps } from "./plan-switch.js";

export async function plan(p: Parsed, out: Output): Promise<number> {
  const [envName] = expectPositionals(p, ["ENV"]);
  if (p.flags.image === undefined) throw new UsageError("plan needs --image REF", "e.g. bluegreen plan production --image v2");
  const env = await loadEnv(envName ?? "", p.flags);
  checkBakeOverride(env.config, p.flags);
  const settings = await settingsFromConfig(env.config, p.flags.bakeMs !== undefined ? { bakeMs: p.flags.bakeMs } : {});
  const image = imageRefFor(settings.container.repository, p.flags.image);
  const unreachable: string[] = [];
  let ctx: Ctx | undefined;
  let reading: PlanReading;
  try {
    ctx = await openCtx(env, { step: () => undefined }, { requireHealthyInstances: false, tolerateUnreachable: true });
    for (const u of ctx.unreachable ?? []) unreachable.push(`${u.instanceId} (${u.address}) is unreachable: ${u.reason}; a release would refuse in preflight`);
    reading = await readForPlan(ctx, await observe(ctx));
  } catch (e) {
    // Without the listener, the tags and the hosts every line below would be a guess (the colour to
    // stage on, what a failure goes back to): no plan, exit 1 with the cause, as `status` does.
    throw cannotObserve(settings.environment, ctx === undefined ? e : beforeAnyChange(ctx, e));
  } finally {
    if (ctx !== undefined) await disconnect(ctx);
  }
  const { live, colour, unmanaged, switching, listenerFirst, problems, refusal } = reading;
  const liveText = live ?? (unmanaged !== null ? `unmanaged (${unmanaged.targetGroupName})` : null);
  const goal = { kind: "release" as const, colour, releaseId: "<release-id>", image: `${settings.container.repository}@<digest of ${image}>`, from: live };
  // What each host runs, one exec per phase, built by the release's own builders.
  // A polling release's handover and a mode switch's cutover stop the other colour (the old poller, the other mode's containers).
  const handover = settings.mode === "polling" || switching !== null ? { handover: otherColour(colour) } : {};
  const execs = hostExecs({ settings, ref: image, goal, adoption: settings.mode === "webhook" && switching === null, ...handover });
  const hostLines = execLines(execs);
  // A release shifts in steps only from a live colour of ours (release.ts: shiftsInSteps).
  const shifts = settings.mode !== "polling" && live !== null ? planShifts(settings.rollout.strategy, colour) : [];
  const health = settings.container.health;
  const healthText = health === undefined ? "" : `, GET ${health.path} -> ${health.expectStatus}`;
  const steps =
    switching !== null
      ? switchSteps(settings, switching, hostLines, healthText, listenerFirst)
      : settings.mode === "polling"
        ? pollingSteps(settings, colour, live, hostLines, healthText)
        : [
            `lock: ${formatArgvForDisplay(lockCommands.acquire(lockPath(settings.lock.dir, settings.environment)))} (on the first host)`,
            `observe: listener, tags, both target groups' health, getWebhookInfo, docker inspect on every host`,
            `preflight: target groups, instances, SSH host keys, docker, disk, getMe, docker ps (host ports ${settings.hostPorts[colour]} free)${live !== null ? `, live colour ${live} healthy` : ""}`,
            ...(unmanaged !== null
              ? [
                  `adopt: ${unmanaged.targetGroupName} serves traffic without bluegreen (${unmanaged.containers.map((c) => `${c.instanceId} ${c.name}:${c.hostPort}`).join(", ") || "no container found"}); its containers are never touched`,
                ]
              : []),
            `stage ${colour} on every host:`,
            ...hostLines,
            `register the hosts in ${settings.targetGroups[colour]} on port ${settings.hostPorts[colour]}; keep it referenced (weight 0) so the ALB health-checks it`,
            `gates: container running${healthText}, target group healthy ${settings.gates.healthyThreshold}x every ${settings.gates.intervalMs}ms (timeout ${settings.gates.timeoutMs}ms), webhook untouched`,
            ...(shifts.length > 0
              ? shiftLines(settings, colour, shifts)
              : [
                  `cutover: ModifyListener ${unmanaged !== null ? `${unmanaged.targetGroupName} ` : ""}-> ${settings.targetGroups[colour]}, then setWebhook ${settings.webhook.urls[colour]}`,
                ]),
            `bake ${settings.gates.bakeMs}ms: health, target health, webhook errors, pending <= ${settings.gates.maxPendingUpdates}, restarts, OOM, memory <= ${settings.gates.maxMemoryBytes} bytes; any failure -> back to ${live ?? (unmanaged !== null ? `${unmanaged.targetGroupName} and webhook ${unmanaged.webhookUrl || "(none)"}` : "(nothing: first release)")}`,
            `finalize: tags, audit record in ${settings.historyFile}, ${live !== null ? `${live} stays warm for ${settings.rollout.keepPreviousWarmMs}ms` : "no previous colour"}`,
          ];
  // A host that cannot be reached is for a human to look at: the plan is shown, and exits 3.
  const exitCode = planExit(refusal, unreachable);
  if (p.flags.json) {
    out.json({
      type: "result",
      command: "plan",
      outcome: exitCode === EXIT.ok ? "planned" : exitCode === EXIT.failed ? "failed" : "needs-human",
      exitCode,
      environment: settings.environment,
      live,
      colour,
      image,
      mode: settings.mode,
      ...(switching !== null ? { switch: { from: switching.mode, to: settings.mode, colour: switching.colour, releaseId: switching.releaseId } } : {}),
      hostCommands: stagingCommands(execs),
      hostExecs: execs,
      steps,
      ...(shifts.length > 0 ? { shifts } : {}),
      ...(unreachable.length > 0 ? { unreachable } : {}),
      ...(unmanaged !== null ? { unmanaged } : {}),
      ...(problems.length > 0 ? { problems } : {}),
      ...(refusal !== null ? { error: refusal.message, remedy: refusal.remedy } : {}),
    });
  } else {
    out.line(`Plan: release ${image} to ${settings.environment} (${colour}; live now: ${liveText ?? "none"})`);
    for (const s of steps) out.line(`  ${s}`);
    if (refusal !== null) out.line(`  ✖ release would refuse before anything is changed (exit 1): ${refusal.message}\n    next: ${refusal.remedy}`);
    for (const x of problems) out.line(`  ✖ release would stop in preflight: ${x}`);
    for (const u of unreachable) out.line(`  ✖ ${u}`);
    out.line("Nothing was changed.");
  }
  return exitCode;
}

export interface PlanReading {
  live: Colour | null;
  colour: Colour;
  unmanaged: UnmanagedRelease | null;
  switching: SwitchSource | null;
  listenerFirst: boolean;
  /** What would stop the release in preflight. */
  problems: string[];
  /** The refusal a release makes on its first reading, before anything else (release.ts). */
  refusal: PreflightError | null;
}

/** A release that would refuse on its first reading exits 1 (nothing changed): so does its plan. An unreachable host is 3. */
export function planExit(refusal: PreflightError | null, unreachable: readonly string[]): number {
  return refusal !== null ? EXIT.failed : unreachable.length > 0 ? EXIT.needsHuman : EXIT.ok;
}

/** The reading a release makes of the world: the colour it stages, where it starts, what refuses it. */
export async function readForPlan(ctx: Ctx, world: World): Promise<PlanReading> {
  const settings = ctx.settings;
  let live: Colour | null = null;
  let colour: Colour = "blue";
  let unmanaged: UnmanagedRelease | null = null;
  let switching: SwitchSource | null = null;
  let listenerFirst = false;
  const problems: string[] = [];
  const refusal = firstReadingRefusal(ctx, world);
  const byHook = liveByWebhook(world.webhook.url, settings.webhook.urls);
  const source = switchSource(world.hosts, settings.mode, world.tags.live, byHook === "shared" ? null : byHook);
  if (source === "ambiguous") problems.push("both colours run containers in the other mode and nothing says which one is live");
  else if (source !== null) {
    // A mode switch starts from what runs in the other mode (release reads it the same way).
    switching = source;
    live = source.colour;
    colour = otherColour(source.colour);
    listenerFirst = listenerBeforeSwitch(world.traffic, colour, live, source.mode) !== null;
  } else if (settings.mode === "polling") {
    // No listener to read: the recorded live poller, and the other colour to stage on.
    live = startingLive(ctx, world);
    colour = live !== null ? otherColour(live) : "blue";
  } else {
    // The same reading release makes: plan and release always name the same colour.
    const adoption = await observeAdoption(ctx, world);
    live = adoption.choice.from;
    unmanaged = adoption.unmanaged?.role === "live" ? adoption.unmanaged : null;
    if (adoption.choice.colour !== null) colour = adoption.choice.colour;
    else problems.push(adoption.choice.reason ?? "no colour is free to stage on");
    problems.push(...adoption.problems.map((p) => `${p.message} (${p.remedy})`));
  }
  return { live, colour, unmanaged, switching, listenerFirst, problems, refusal };
}

/**
 * A plan that could not read the world is not shown: a read failure is exit 1 with its cause and
 * remedy (status exits 1 on the same failure); our own errors (a listener holding another
 * environment's state: 64) keep their code and words.
 */
function cannotObserve(environment: string, e: unknown): unknown {
  if (e instanceof BluegreenError && !(e instanceof PreflightError)) return e;
  const cause = (e instanceof Error ? e.message : String(e)).replace(/; nothing was changed$/, "");
  return new PreflightError(
    `cannot plan a release to ${environment}: the live colour, the hosts and the listener could not be read (${cause}); a plan without them would be a guess (the colour to stage on, what a failure goes back to); nothing was changed`,
    (e instanceof PreflightError ? e.remedy : undefined) ?? "fix the cause above, then run the plan again",
  );
}

export interface PlannedShift {
  step: number;
  of: number;
  /** The new colour's share. */
  percent: number;
  weights: Record<Colour, number>;
  holdMs: number;
}

/** The steps and weights a canary/linear release would take (empty for all-at-once). */
export function planShifts(strategy: RolloutStrategy | undefined, colour: Colour): PlannedShift[] {
  if (strategy === undefined || strategy.kind === "all-at-once") return [];
  return shiftSteps(strategy).map((s) => ({
    step: s.index,
    of: s.of,
    percent: s.percent,
    weights: { [colour]: s.percent, [otherColour(colour)]: 100 - s.percent } as Record<Colour, number>,
    holdMs: s.holdMs,
  }));
}

function shiftLines(settings: Awaited<ReturnType<typeof settingsFromConfig>>, colour: Colour, shifts: PlannedShift[]): string[] {
  return [
    `webhook: ${settings.webhook.urls[colour]} serves both colours and is not moved (its settings are put right once, before the first step, if they differ)`,
    ...shifts.map(
      (s) =>
        `shift ${s.step}/${s.of}: ModifyListener ${describeWeights(s.percent, colour)} (weights ${settings.targetGroups[colour]}=${s.weights[colour]}, ${settings.targetGroups[otherColour(colour)]}=${s.weights[otherColour(colour)]})${s.holdMs > 0 ? `, gates for ${s.holdMs}ms (containers, target health, restarts, OOM, memory, Telegram, alarms, metrics); any failure -> all weight back in one ModifyListener` : ""}`,
    ),
  ];
}

/** A polling release: no listener, no target groups; the handover stops the old poller (stopArgv, as the run does). */
export function pollingSteps(
  settings: Awaited<ReturnType<typeof settingsFromConfig>>,
  colour: Colour,
  live: Colour | null,
  hostLines: string[],
  healthText: string,
): string[] {
  const old = live ?? otherColour(colour);
  const stop = formatArgvForDisplay(stopArgv(settings, old));
  const start = formatArgvForDisplay(docker.start(containerName(settings.container.name, old)));
  return [
    `mode: polling (the bot calls getUpdates; no load balancer)`,
    `lock: ${formatArgvForDisplay(lockCommands.acquire(lockPath(settings.lock.dir, settings.environment)))} (on the first host)`,
    `observe: release state, getWebhookInfo, docker inspect on every host`,
    `preflight: instances, SSH host keys, docker, disk, getMe${live !== null ? `, live poller ${live} running` : ""}`,
    `stage ${colour} on every host (it starts polling at once; Telegram hands each update to one poller):`,
    ...hostLines,
    `gates: container running, not restarting${healthText}, ${settings.gates.healthyThreshold}x every ${settings.gates.intervalMs}ms (timeout ${settings.gates.timeoutMs}ms), no webhook set by the bot`,
    `handover: deleteWebhook if this environment's own webhook is set (pending updates kept; any other webhook refuses the release before anything changes), then \`${stop}\` on every host (kept, stopped, for a rollback)`,
    `bake ${settings.gates.bakeMs}ms: no webhook, pending_update_count <= ${settings.gates.maxPendingUpdates}, ${colour} keeps running (restarts, OOM, memory <= ${settings.gates.maxMemoryBytes} bytes)`,
    live !== null
      ? `rollback (automatic on a failed bake, or \`bluegreen rollback ${settings.environment}\`): \`${start}\`, then stop ${colour}; the automatic one then gates ${live} where it polls, held ${settings.gates.settleMs}ms (gates.settle), before it reports (exit 3 if it fails them); getWebhookInfo read back last`
      : "rollback: none (first release): a failure stops the new poller",
    `finalize: release state, audit record in ${settings.historyFile}`,
  ];
}
