// Reading our containers on a host: one `docker inspect` of both colours' names per host.

import type { LastExit } from "../domain/gates.js";
import type { Colour, ContainerFacts } from "../domain/types.js";
import { parseBatch } from "../remote/batch.js";
import { containerName, docker, LABEL } from "../remote/docker.js";
import { inspectWithStats } from "../remote/phases.js";
import type { ConnectedHost, Ctx } from "./context.js";
import { mapLimit, mustExec } from "./context.js";
import type { Settings } from "./settings.js";

interface InspectJson {
  Id?: string;
  Name?: string;
  RestartCount?: number;
  State?: { Status?: string; Running?: boolean; Restarting?: boolean; ExitCode?: number; OOMKilled?: boolean; StartedAt?: string };
  Config?: { Labels?: Record<string, string> | null };
}

export function parseInspect(stdout: string): ContainerFacts[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout.trim() === "" ? "[]" : stdout);
  } catch {
    return [];
  }
  if (!Array.isArray(parsed)) return [];
  return (parsed as InspectJson[]).flatMap((c) => {
    const labels = c.Config?.Labels ?? {};
    const colour = labels[LABEL.colour];
    if (colour !== "blue" && colour !== "green") return [];
    return [
      {
        ...(c.Id !== undefined ? { id: c.Id } : {}),
        name: (c.Name ?? "").replace(/^\//, ""),
        colour,
        releaseId: labels[LABEL.release] ?? null,
        image: labels[LABEL.image] ?? null,
        running: c.State?.Running === true && c.State.Restarting !== true,
        status: c.State?.Status ?? "unknown",
        exitCode: c.State?.ExitCode ?? 0,
        oomKilled: c.State?.OOMKilled === true,
        restartCount: c.RestartCount ?? 0,
        startedAt: c.State?.StartedAt ?? null,
        mode: labels[LABEL.mode] === "polling" ? ("polling" as const) : ("webhook" as const),
      },
    ];
  });
}

/** The one reading of a host's containers (both colours): what observe and each gate attempt run; `plan` shows it. */
export function inspectBothArgv(baseName: string): string[] {
  return docker.inspect([containerName(baseName, "blue"), containerName(baseName, "green")]);
}

/** A bake check's one exec on a host: both colours' containers and `colour`'s memory; `plan` shows it. */
export function bakeCheckArgv(baseName: string, colour: Colour, marker?: string): string[] {
  return inspectWithStats([containerName(baseName, "blue"), containerName(baseName, "green")], [containerName(baseName, colour)], marker);
}

export async function inspectContainers(host: ConnectedHost, baseName: string): Promise<Partial<Record<Colour, ContainerFacts>>> {
  // docker inspect exits 1 when one of the names is missing but still prints the others.
  const res = await host.remote.exec(inspectBothArgv(baseName));
  return byColour(res.stdout);
}

/** Our containers by colour, from the output of `docker inspect` of both colours' names. */
export function byColour(stdout: string): Partial<Record<Colour, ContainerFacts>> {
  const out: Partial<Record<Colour, ContainerFacts>> = {};
  // Ours is the container whose name and colour label agree: one renamed by hand (a blue-labelled
  // container under the green name) is not green's, or a stop of "green" (by name) would stop it
  // while its label made it look like blue's, and it may be what serves traffic.
  for (const c of parseInspect(stdout)) if (c.name.endsWith(`-${c.colour}`)) out[c.colour] = c;
  return out;
}

/**
 * A bake check's reading of a host in one exec (#17): both colours' containers, as
 * inspectContainers reads them, and the memory `colour`'s container uses (null: unknown).
 */
export async function inspectWithMemory(
  host: ConnectedHost,
  baseName: string,
  colour: Colour,
): Promise<{ containers: Partial<Record<Colour, ContainerFacts>>; memory: number | null }> {
  const name = containerName(baseName, colour);
  const argv = bakeCheckArgv(baseName, colour);
  const [inspected, stats] = parseBatch(argv, await host.remote.exec(argv));
  return {
    containers: byColour(inspected?.stdout ?? ""),
    memory: stats !== undefined && stats.code === 0 ? (parseStatsMemory(stats.stdout).get(name) ?? null) : null,
  };
}

/** Memory in use per container name, from `docker stats --no-stream` (e.g. "12.3MiB / 400MiB"). */
export function parseStatsMemory(stdout: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of stdout.split("\n")) {
    if (line.trim() === "") continue;
    try {
      const s = JSON.parse(line) as { Name?: string; MemUsage?: string };
      const used = parseDockerSize((s.MemUsage ?? "").split("/")[0]?.trim() ?? "");
      if (s.Name !== undefined && used !== null) out.set(s.Name, used);
    } catch {
      // a partial line from a dying container is not evidence either way
    }
  }
  return out;
}

const UNITS: Record<string, number> = { B: 1, KB: 1e3, KIB: 1024, MB: 1e6, MIB: 2 ** 20, GB: 1e9, GIB: 2 ** 30 };

export function parseDockerSize(text: string): number | null {
  const m = /^([\d.]+)\s*([a-zA-Z]+)$/.exec(text);
  if (m === null) return null;
  const unit = UNITS[(m[2] ?? "").toUpperCase()];
  return unit === undefined ? null : Math.round(Number(m[1]) * unit);
}

export async function containerLogs(host: ConnectedHost, name: string, lines = 20): Promise<string> {
  const res = await host.remote.exec(docker.logs(name, lines));
  return mergeLogStreams(res.stdout, res.stderr, lines);
}

/** docker logs --timestamps' prefix: RFC 3339 with up to nanoseconds, then one space. */
const STAMPED = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d) (.*)$/s;

/**
 * `docker logs` writes the container's stdout lines to its stdout and its stderr lines to its stderr,
 * so the two arrive apart: printed one after the other, a SIGTERM notice on stdout came before the
 * error on stderr that preceded it (review s9 F18). Each line's --timestamps stamp merges them back
 * into time order (a tie keeps stdout's line first), the stamps are dropped (the bot's lines carry
 * their own), and the last `lines` are kept as docker's --tail keeps them. A line with no stamp (a
 * daemon's error text) keeps its place after the line before it on its stream.
 */
export function mergeLogStreams(stdout: string, stderr: string, lines: number): string {
  const parse = (text: string) => {
    let key = "";
    return text
      .split("\n")
      .filter((l) => l.trim() !== "")
      .map((l) => {
        const m = STAMPED.exec(l);
        const ms = m === null ? Number.NaN : Date.parse(`${m[1]}${m[3]}`);
        if (m === null || Number.isNaN(ms)) return { key, text: l };
        key = `${String(ms).padStart(15, "0")}${(m[2] ?? "").padEnd(9, "0")}`;
        return { key, text: m[4] ?? "" };
      });
  };
  const [out, err] = [parse(stdout), parse(stderr)];
  const merged: string[] = [];
  let i = 0;
  let j = 0;
  while (i < out.length || j < err.length) {
    const o = out[i];
    const e = err[j];
    if (o !== undefined && (e === undefined || o.key <= e.key)) {
      merged.push(o.text);
      i += 1;
    } else if (e !== undefined) {
      merged.push(e.text);
      j += 1;
    }
  }
  return merged.slice(-Math.max(1, lines)).join("\n").trim();
}

/**
 * How a container's runs ended, from `docker events` JSON lines (oldest first): OOM-killed if the
 * engine reported an "oom" in the window, with the exit code of the "die" that followed it (else
 * of the last "die"). null when no run ended in the window, or the events are unreadable.
 */
export function parseExitEvents(stdout: string): LastExit | null {
  const events = stdout.split("\n").flatMap((line) => {
    if (line.trim() === "") return [];
    try {
      const e = JSON.parse(line) as { Action?: string; status?: string; timeNano?: number; Actor?: { Attributes?: Record<string, string> } };
      return [{ action: e.Action ?? e.status ?? "", at: e.timeNano ?? 0, exitCode: Number(e.Actor?.Attributes?.exitCode) }];
    } catch {
      return [];
    }
  });
  events.sort((a, b) => a.at - b.at);
  const lastOom = events.findLastIndex((e) => e.action === "oom");
  const dies = events.filter((e, i) => e.action === "die" && Number.isInteger(e.exitCode) && i > lastOom);
  const die = lastOom >= 0 ? dies[0] : dies.at(-1);
  if (die === undefined) return lastOom >= 0 ? { exitCode: 137, oomKilled: true } : null;
  return { exitCode: die.exitCode, oomKilled: lastOom >= 0 };
}

/** How the container last ended within the past `sinceSeconds` (null if unknown: the caller falls back to inspect). */
export async function lastExit(host: ConnectedHost, container: ContainerFacts, sinceSeconds: number): Promise<LastExit | null> {
  const res = await host.remote.exec(docker.exitEvents(container.id ?? container.name, Math.max(1, Math.ceil(sinceSeconds))));
  return res.code === 0 ? parseExitEvents(res.stdout) : null;
}

/** The graceful stop of a colour's container (container.stopTimeout, container.stopSignal): what a handover runs; `plan` shows it. */
export function stopArgv(s: Pick<Settings, "container">, colour: Colour): string[] {
  return docker.stop(containerName(s.container.name, colour), Math.max(1, Math.round(s.container.stopTimeoutMs / 1000)), s.container.stopSignal);
}

/**
 * Stop (not remove) a colour's containers gracefully (docker stop, container.stopTimeout): kept for `docker logs`, restartable by a rollback.
 * `unlessExited`: a colour this run already stopped; the inspect reads it back and a container seen
 * exited is left as it is (docker stop would be a no-op on it), one running, restarting or paused again is stopped.
 */
export async function stopColourContainers(ctx: Ctx, colour: Colour, opts: { unlessExited?: boolean } = {}): Promise<void> {
  await mapLimit(ctx.hosts, ctx.settings.rollout.hostConcurrency, async (h) => {
    // Only our own container (labelled with this colour): one under the same name started by hand is not ours to stop.
    const c = (await inspectContainers(h, ctx.settings.container.name))[colour];
    if (c === undefined) return;
    if (opts.unlessExited === true && c.status === "exited") return;
    await h.remote.exec(stopArgv(ctx.settings, colour));
  });
}

/** Start a colour's stopped containers (a rollback to a poller stopped at the handover). */
export async function startColourContainers(ctx: Ctx, colour: Colour): Promise<void> {
  const name = containerName(ctx.settings.container.name, colour);
  await mapLimit(ctx.hosts, ctx.settings.rollout.hostConcurrency, (h) => mustExec(h, docker.start(name)));
}
