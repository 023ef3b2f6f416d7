// Reading our containers on a host: one `docker inspect` of both colours' names per host.
import { LABEL, containerName, docker } from "../remote/docker.js";
import type { Colour, ContainerFacts } from "../domain/types.js";
import type { ConnectedHost } from "./context.js";
import { mustExec } from "./context.js";

interface InspectJson {
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
      },
    ];
  });
}

export async function inspectContainers(host: ConnectedHost, baseName: string): Promise<Partial<Record<Colour, ContainerFacts>>> {
  // docker inspect exits 1 when one of the names is missing but still prints the others.
  const res = await host.remote.exec(docker.inspect([containerName(baseName, "blue"), containerName(baseName, "green")]));
  const out: Partial<Record<Colour, ContainerFacts>> = {};
  for (const c of parseInspect(res.stdout)) out[c.colour] = c;
  return out;
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

export async function containerMemory(host: ConnectedHost, name: string): Promise<number | null> {
  const res = await mustExec(host, docker.stats([name]));
  return parseStatsMemory(res.stdout).get(name) ?? null;
}

export async function containerLogs(host: ConnectedHost, name: string, lines = 20): Promise<string> {
  const res = await host.remote.exec(docker.logs(name, lines));
  return `${res.stdout}${res.stderr}`.trim();
}
