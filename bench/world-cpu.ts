// Where a release's CPU goes on the shared cores, per process, from /proc: the sandbox world's
// container processes (each container's supervisor and its bot, both Node processes that a real
// host runs on its own machine) and how long the CLI's main thread waited for a core. The machine's
// total (/proc/stat) counts every other process too (other work on a shared machine); these do not.
import { readdirSync, readFileSync } from "node:fs";

/** USER_HZ is 100 on Linux: a clock tick is 10 ms. */
const TICK_MS = 10;

export interface ProcFacts {
  cmdline: string;
  ppid: number;
  /** Field 22 of /proc/<pid>/stat: with the pid, names one process (pids are reused). */
  startTime: string;
  /** utime + stime in ms. */
  cpuMs: number;
}

/** The fields of /proc/<pid>/stat after the command name (which may hold spaces and parentheses). */
export function parseStat(stat: string): { ppid: number; startTime: string; cpuMs: number } | null {
  const f = stat
    .slice(stat.lastIndexOf(")") + 2)
    .trim()
    .split(" ");
  if (f.length < 20) return null;
  return { ppid: Number(f[1]), startTime: f[19] ?? "", cpuMs: (Number(f[11]) + Number(f[12])) * TICK_MS };
}

function readStat(pid: number): ReturnType<typeof parseStat> {
  try {
    return parseStat(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return null;
  }
}

function readCmdline(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ");
  } catch {
    return null;
  }
}

export type ContainerProcess = "supervisor" | "bot";

/**
 * Whether a process is one of this world's container processes: a supervisor names the world's
 * state root in its argv (supervisor.js <stateRoot> <host> <name> <id>); a bot is a child of one.
 * undefined: a process whose parent is not known yet (looked at again on the next scan).
 */
export function classify(p: Pick<ProcFacts, "cmdline" | "ppid">, stateRoot: string, supervisors: ReadonlySet<number>): ContainerProcess | null | undefined {
  if (p.cmdline.includes("supervisor.js")) return p.cmdline.split(" ").includes(stateRoot) ? "supervisor" : null;
  if (supervisors.has(p.ppid)) return "bot";
  return p.cmdline.includes("echo-bot/main.js") ? undefined : null;
}

/**
 * CPU used by one world's supervisors and bots between start() and stop(), sampled every
 * `everyMs` (a process that exits between two samples counts up to its last sample). Once a
 * second: a scan reads every process's /proc/<pid>/stat (5-8 ms of the bench's CPU on this
 * machine), more with more processes, so a faster scan slowed the 16-host release it measured; in
 * a healthy release the only containers that end are the ones the stage removes, idle until then.
 */
export class ContainerCpu {
  private readonly ours = new Map<string, { kind: ContainerProcess; pid: number; first: number; last: number }>();
  private readonly notOurs = new Set<string>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly stateRoot: string,
    private readonly everyMs = 1_000,
  ) {}

  start(): void {
    this.scan(true);
    this.timer = setInterval(() => this.scan(false), this.everyMs);
    this.timer.unref();
  }

  stop(): Record<ContainerProcess, number> {
    clearInterval(this.timer);
    this.scan(false);
    const out = { supervisor: 0, bot: 0 };
    for (const p of this.ours.values()) out[p.kind] += p.last - p.first;
    return out;
  }

  private scan(baseline: boolean): void {
    let pids: number[];
    try {
      pids = readdirSync("/proc")
        .filter((d) => /^\d+$/.test(d))
        .map(Number);
    } catch {
      return;
    }
    const unknown: { pid: number; key: string; facts: ProcFacts }[] = [];
    for (const pid of pids) {
      const stat = readStat(pid);
      if (stat === null) continue;
      // pid + start time: pids are reused (pid_max may be as low as 32768 on a busy machine).
      const key = `${pid}:${stat.startTime}`;
      if (this.notOurs.has(key)) continue;
      const known = this.ours.get(key);
      if (known !== undefined) {
        known.last = stat.cpuMs;
        continue;
      }
      const cmdline = readCmdline(pid);
      if (cmdline !== null) unknown.push({ pid, key, facts: { ...stat, cmdline } });
    }
    const supervisors = new Set([...this.ours.values()].filter((p) => p.kind === "supervisor").map((p) => p.pid));
    // Supervisors first, so a bot found in the same scan as its supervisor is known as ours.
    unknown.sort((a, b) => Number(b.facts.cmdline.includes("supervisor.js")) - Number(a.facts.cmdline.includes("supervisor.js")));
    for (const { pid, key, facts: p } of unknown) {
      const kind = classify(p, this.stateRoot, supervisors);
      if (kind === null) this.notOurs.add(key);
      if (kind === null || kind === undefined) continue;
      if (kind === "supervisor") supervisors.add(pid);
      // A process already running at start counts from there; one started since, from nothing.
      this.ours.set(key, { kind, pid, first: baseline ? p.cpuMs : 0, last: p.cpuMs });
    }
  }
}

/**
 * Time (ms) the main thread of `pid` (its event loop, where the CLI's work runs) spent runnable but
 * waiting for a core: /proc/<pid>/schedstat, field 2 in ns. null once the process is gone.
 */
export function runQueueWaitMs(pid: number): number | null {
  try {
    return Number(readFileSync(`/proc/${pid}/schedstat`, "utf8").split(" ")[1] ?? Number.NaN) / 1e6;
  } catch {
    return null;
  }
}
