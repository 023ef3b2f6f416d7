// `bluegreen rehearse`: the image run once on a local Docker engine with the release's own
// `docker run` (runArgvFor), its env file written the release's way (0600, through stdin), and the
// seed's checklist observed line by line. Every command is an argv on the engine's machine; the
// Bot API the bot talks to is an observer the CLI wires (the embedded Telegram emulator).
import { type HealthExpectation, healthVerdict } from "../domain/gates.js";
import type { ContainerFacts } from "../domain/types.js";
import { PreflightError } from "../errors.js";
import { containerLogs, parseInspect, parseStatsMemory } from "../orchestrator/containers.js";
import type { ConnectedHost } from "../orchestrator/context.js";
import type { Settings } from "../orchestrator/settings.js";
import { runArgvFor } from "../orchestrator/stage.js";
import type { Clock, HttpResponse, Reporter } from "../ports.js";
import { containerName, docker, LABEL } from "../remote/docker.js";
import { envFileContent, writeFilePrivate } from "../remote/files.js";
import {
  CHECK_IDS,
  type CheckId,
  type CheckLine,
  healthLine,
  line,
  listeningPorts,
  memoryLine,
  portLine,
  skipped,
  startLine,
  stopLine,
  type UpdateResult,
  updatesLine,
  webhookLine,
} from "./checklist.js";

/** How long Telegram (and its emulator) waits for a webhook answer before it counts a failure. */
export const WEBHOOK_TIMEOUT_MS = 10_000;
/** Memory is sampled at least this long while the updates are posted ("under load"). */
export const LOAD_WINDOW_MS = 3_000;
const POLL_MS = 250;
export const REHEARSAL_COLOUR = "blue";

/** The Bot API as the rehearsal sees it: null everywhere when the bot's API base is not redirected. */
export interface BotApiObserver {
  /** The base URL the container is given (in rehearse.apiBaseEnv); null = not redirected. */
  apiBase: string | null;
  calls(): string[] | null;
  replies(): string[] | null;
}

export interface Engine {
  host: ConnectedHost;
  /** Where the published host port answers (127.0.0.1, or the sandbox's rehearsal host). */
  address: string;
  /** The sandbox's docker stand-in maps ports by PORT, so "inside" is not a separate place. */
  sandbox: boolean;
}

export interface RehearsalPlan {
  settings: Settings;
  /** Values for the env file: the environment's plain variables and (rehearsal or real) secrets. */
  env: Record<string, string>;
  image: string;
  releaseId: string;
  envFile: string;
  settleMs: number;
  build?: { dir: string; file: string } | undefined;
  /** Update bodies posted to the webhook path, by name. */
  updates: { name: string; body: string }[];
  webhookSecret?: string | undefined;
}

export interface RehearsalResult {
  passed: boolean;
  lines: CheckLine[];
  containerName: string;
  runArgv: string[];
}

export function rehearsalRunArgv(plan: Pick<RehearsalPlan, "settings" | "image" | "releaseId" | "envFile">): string[] {
  return runArgvFor(plan.settings, { colour: REHEARSAL_COLOUR, releaseId: plan.releaseId, image: plan.image }, plan.envFile);
}

async function inspectOne(
  host: ConnectedHost,
  name: string,
): Promise<{ facts: ContainerFacts | undefined; pid: number | null; raw: Record<string, unknown> | undefined }> {
  const res = await host.remote.exec(docker.inspect([name]));
  const facts = parseInspect(res.stdout)[0];
  let raw: Record<string, unknown> | undefined;
  try {
    raw = (JSON.parse(res.stdout || "[]") as Record<string, unknown>[])[0];
  } catch {
    raw = undefined;
  }
  const pid = Number((raw?.State as { Pid?: unknown } | undefined)?.Pid ?? 0);
  return { facts, pid: Number.isInteger(pid) && pid > 0 ? pid : null, raw };
}

/** A container of this name left by an earlier rehearsal is removed; anything else is refused before any change. */
export async function clearLeftover(host: ConnectedHost, name: string): Promise<void> {
  const { raw } = await inspectOne(host, name);
  if (raw === undefined) return;
  const labels = ((raw.Config as { Labels?: Record<string, string> | null } | undefined)?.Labels ?? {}) as Record<string, string>;
  if (!(labels[LABEL.release] ?? "").startsWith("rehearsal-")) {
    throw new PreflightError(
      `a container named ${name} already exists on this Docker engine and is not a rehearsal's`,
      `remove it (docker rm -f ${name}) or rehearse on another machine: the rehearsal runs the image under the release's own name`,
    );
  }
  await host.remote.exec(docker.remove(name));
}

export async function rehearse(plan: RehearsalPlan, engine: Engine, api: BotApiObserver, clock: Clock, reporter: Reporter): Promise<RehearsalResult> {
  const s = plan.settings;
  // The command refuses polling environments; a webhook environment always has a health check.
  const health = s.container.health ?? noHealth();
  const host = engine.host;
  const name = containerName(s.container.name, REHEARSAL_COLOUR);
  const argv = rehearsalRunArgv(plan);
  const lines: CheckLine[] = [];
  const report = (l: CheckLine): void => {
    lines.push(l);
    const first = l.evidence.split("\n")[0] ?? "";
    reporter.step({
      step: l.id,
      status: l.status === "pass" ? "ok" : l.status === "fail" ? "fail" : l.status === "skip" ? "skip" : "info",
      message: first,
      detail: { check: l },
    });
  };
  const skipRest = (why: string): void => {
    for (const id of CHECK_IDS) if (id !== "build" && !lines.some((l) => l.id === id)) report(skipped(id, why));
  };
  const done = (): RehearsalResult => ({
    passed: lines.every((l) => l.status === "pass" || l.status === "unobservable"),
    lines,
    containerName: name,
    runArgv: argv,
  });

  await clearLeftover(host, name);

  if (plan.build !== undefined) {
    reporter.step({ step: "build", status: "start", message: `docker build ${plan.build.dir} (${plan.build.file})` });
    const t0 = clock.now();
    const b = await host.remote.exec(docker.build(plan.image, plan.build.file, plan.build.dir), { timeoutMs: 30 * 60_000 });
    const took = `${Math.round((clock.now() - t0) / 100) / 10}s`;
    const tail = `${b.stdout}${b.stderr}`.trim().split("\n").slice(-10).join("\n");
    if (b.code !== 0) {
      report(line("build", "fail", `docker build exited ${b.code} after ${took}\n${tail}`));
      skipRest("the image did not build");
      return done();
    }
    report(line("build", "pass", `built ${plan.image} from ${plan.build.file} in ${took}`));
  } else if ((await host.remote.exec(docker.repoDigests(plan.image))).code !== 0) {
    // Not on the engine yet (a CI build job pushed it): pull it as a host would.
    reporter.step({ step: "pull", status: "start", message: plan.image });
    const p = await host.remote.exec(docker.pull(plan.image), { timeoutMs: 10 * 60_000 });
    reporter.step({ step: "pull", status: p.code === 0 ? "ok" : "fail", message: plan.image });
    if (p.code !== 0) {
      report(line("start", "fail", `docker pull ${plan.image} exited ${p.code}: ${(p.stderr || p.stdout).trim().split("\n").slice(-3).join(" / ")}`));
      skipRest("the image could not be pulled");
      return done();
    }
  }

  try {
    return await runChecks();
  } finally {
    await host.remote.exec(docker.remove(name)).catch(() => undefined);
  }

  async function runChecks(): Promise<RehearsalResult> {
    const w = await host.remote.exec(writeFilePrivate(plan.envFile), { stdin: envFileContent(plan.env) });
    if (w.code !== 0)
      throw new PreflightError(`cannot write the rehearsal's env file ${plan.envFile}: ${w.stderr.trim()}`, "check the temporary directory is writable");

    // 1. start: up for the whole settle window, no restart, no exit.
    reporter.step({ step: "start", status: "start", message: `docker run ${plan.image}; watching it for ${plan.settleMs / 1000}s` });
    const run = await host.remote.exec(argv, { timeoutMs: 10 * 60_000 });
    if (run.code !== 0) {
      report(line("start", "fail", `docker run exited ${run.code}: ${(run.stderr || run.stdout).trim().split("\n").slice(-3).join(" / ")}`));
      skipRest("the container did not start");
      return done();
    }
    const started = clock.now();
    let last = await inspectOne(host, name);
    for (;;) {
      const v = startLine(last.facts, plan.settleMs, undefined);
      if (v.status === "fail") {
        report(startLine(last.facts, plan.settleMs, await containerLogs(host, name, 20)));
        skipRest("the container did not stay up");
        return done();
      }
      if (clock.now() - started >= plan.settleMs) break;
      await clock.sleep(Math.min(POLL_MS, Math.max(1, plan.settleMs - (clock.now() - started))));
      last = await inspectOne(host, name);
    }
    report(startLine(last.facts, clock.now() - started, undefined));

    // 2. port: what listens inside, and whether the published host port answers.
    const hostAnswer = await host.remote
      .httpRequest(s.hostPorts[REHEARSAL_COLOUR], health.path, { timeoutMs: health.timeoutMs })
      .catch((e: unknown) => (e instanceof Error ? e : new Error(String(e))));
    const inside = engine.sandbox ? null : await listeningInside(host, name, last.pid);
    report(portLine({ containerPort: s.container.port, hostPort: s.hostPorts[REHEARSAL_COLOUR], address: engine.address, inside, hostAnswer }));

    // 3. health, as configured.
    const expectation: HealthExpectation = health;
    const v = healthVerdict(hostAnswer, expectation);
    report(healthLine(health.path, hostAnswer, v.kind === "ok" ? null : v.reason));

    // 4 + 6. updates to the webhook path with the secret header, memory sampled meanwhile.
    reporter.step({ step: "updates", status: "start", message: `${plan.updates.length} updates; memory sampled meanwhile` });
    const sampler = sampleMemory(host, name, clock);
    const results = await postUpdates(host, s, plan, clock);
    const loadStarted = sampler.startedAt;
    const rest = LOAD_WINDOW_MS - (clock.now() - loadStarted);
    if (rest > 0) await clock.sleep(rest);
    const peak = await sampler.stop();
    const after = await inspectOne(host, name);
    const killed =
      after.facts?.oomKilled === true
        ? `the container was OOM-killed under load (docker --memory ${s.container.memoryBytes} bytes)`
        : after.facts !== undefined && (after.facts.restartCount > 0 || !after.facts.running)
          ? `the container ${after.facts.running ? "restarted" : `exited (code ${after.facts.exitCode})`} under load`
          : null;
    report(updatesLine(results, await settledReplies(api, clock), WEBHOOK_TIMEOUT_MS));
    report(memoryLine(peak, s.gates.maxMemoryBytes, killed));

    // 7. docker stop within stopTimeout; then 5. no webhook calls at any point.
    reporter.step({ step: "stop", status: "start", message: `docker stop --time ${Math.ceil(s.container.stopTimeoutMs / 1000)}` });
    const t0 = clock.now();
    const stop = await host.remote.exec(docker.stop(name, Math.ceil(s.container.stopTimeoutMs / 1000)), { timeoutMs: s.container.stopTimeoutMs + 60_000 });
    const elapsedMs = clock.now() - t0;
    const stopped = await inspectOne(host, name);
    report(webhookLine(api.calls()));
    report(stopLine({ code: stop.code, stderr: stop.stderr, elapsedMs, stopTimeoutMs: s.container.stopTimeoutMs, exitCode: stopped.facts?.exitCode ?? null }));
    lines.sort((a, b) => order(a.id) - order(b.id));
    return done();
  }
}

const order = (id: CheckId): number => CHECK_IDS.indexOf(id);

/** Listening ports in the container's network namespace: /proc/<pid>/net from this machine, else docker exec; null when neither works. */
async function listeningInside(host: ConnectedHost, name: string, pid: number | null): Promise<number[] | null> {
  if (pid !== null) {
    const r = await host.remote.exec(["cat", `/proc/${pid}/net/tcp`, `/proc/${pid}/net/tcp6`]);
    if (r.code === 0 && r.stdout.includes("local_address")) return listeningPorts(r.stdout);
  }
  const e = await host.remote.exec(docker.socketTables(name));
  if (e.code === 0 && e.stdout.includes("local_address")) return listeningPorts(e.stdout);
  return null;
}

function sampleMemory(host: ConnectedHost, name: string, clock: Clock): { startedAt: number; stop(): Promise<number | null> } {
  let peak: number | null = null;
  let running = true;
  const loop = (async () => {
    while (running) {
      const r = await host.remote.exec(docker.stats([name]), { timeoutMs: 10_000 }).catch(() => undefined);
      const used = r === undefined ? undefined : parseStatsMemory(r.stdout).get(name);
      if (used !== undefined) peak = Math.max(peak ?? 0, used);
      if (running) await clock.sleep(POLL_MS);
    }
  })();
  return {
    startedAt: clock.now(),
    stop: async () => {
      running = false;
      await loop;
      return peak;
    },
  };
}

async function postUpdates(host: ConnectedHost, s: Settings, plan: RehearsalPlan, clock: Clock): Promise<UpdateResult[]> {
  const path = new URL(s.webhook.urls[REHEARSAL_COLOUR]).pathname;
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (plan.webhookSecret !== undefined) headers["x-telegram-bot-api-secret-token"] = plan.webhookSecret;
  const out: UpdateResult[] = [];
  for (const u of plan.updates) {
    const t0 = clock.now();
    const res: HttpResponse | Error = await host.remote
      .httpRequest(s.hostPorts[REHEARSAL_COLOUR], path, { method: "POST", body: u.body, headers, timeoutMs: WEBHOOK_TIMEOUT_MS })
      .catch((e: unknown) => (e instanceof Error ? e : new Error(String(e))));
    out.push(
      res instanceof Error
        ? { name: u.name, status: null, error: res.message, ms: clock.now() - t0 }
        : { name: u.name, status: res.status, ms: clock.now() - t0 },
    );
  }
  return out;
}

/** Replies are sent after the 2xx: wait (bounded) until their count stops changing. */
async function settledReplies(api: BotApiObserver, clock: Clock): Promise<string[] | null> {
  let before = api.replies();
  if (before === null) return null;
  for (let i = 0; i < 8; i++) {
    await clock.sleep(POLL_MS);
    const now = api.replies() ?? [];
    if (now.length === before.length && i >= 1) return now;
    before = now;
  }
  return before;
}

function noHealth(): never {
  throw new Error("rehearse needs container.health (webhook mode)");
}
