// Process facts from /proc. A pid is only trusted together with its start time, so a recycled
// pid is never mistaken for (or killed as) one of ours.
import { readFileSync } from "node:fs";

export interface ProcessHandle {
  pid: number;
  /** Field 22 of /proc/<pid>/stat: clock ticks after boot. */
  startTime: string;
}

function statFields(pid: number): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // comm (field 2) may contain spaces and parentheses: fields 3.. follow the last ')'.
    return stat
      .slice(stat.lastIndexOf(")") + 2)
      .trim()
      .split(" ");
  } catch {
    return null;
  }
}

export function processHandle(pid: number): ProcessHandle | null {
  const fields = statFields(pid);
  const startTime = fields?.[19];
  return startTime === undefined ? null : { pid, startTime };
}

/** Alive = exists, is not a zombie, and is the same process that was recorded. */
export function isAlive(handle: ProcessHandle | null | undefined): boolean {
  if (!handle || handle.pid <= 0) return false;
  const fields = statFields(handle.pid);
  return fields !== null && fields[0] !== "Z" && fields[0] !== "X" && fields[19] === handle.startTime;
}

export function signal(handle: ProcessHandle | null | undefined, sig: NodeJS.Signals): boolean {
  if (!handle || !isAlive(handle)) return false;
  try {
    process.kill(handle.pid, sig);
    return true;
  } catch {
    return false;
  }
}

/** Signals the process group led by a detached supervisor (it and its bot), if still ours. */
export function signalGroup(leader: ProcessHandle | null | undefined, sig: NodeJS.Signals): boolean {
  if (!leader || !isAlive(leader)) return false;
  try {
    process.kill(-leader.pid, sig);
    return true;
  } catch {
    return false;
  }
}

export function readRssBytes(pid: number): number | null {
  try {
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** utime + stime of a process, in clock ticks. */
export function readProcessCpuTicks(pid: number): number | null {
  const fields = statFields(pid);
  return fields ? Number(fields[11]) + Number(fields[12]) : null;
}

/** Sum of all CPUs' ticks from /proc/stat, and how many CPUs there are. */
export function readSystemCpu(): { ticks: number; cpus: number } {
  const lines = readFileSync("/proc/stat", "utf8").split("\n");
  const total = (lines[0] ?? "").split(/\s+/).slice(1).map(Number).filter(Number.isFinite);
  const cpus = lines.filter((l) => /^cpu\d+ /.test(l)).length;
  return { ticks: total.reduce((a, b) => a + b, 0), cpus: Math.max(cpus, 1) };
}

export function readMemTotalBytes(): number {
  const match = /^MemTotal:\s+(\d+) kB$/m.exec(readFileSync("/proc/meminfo", "utf8"));
  return match ? Number(match[1]) * 1024 : 0;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls until done() or the deadline; returns whether done() became true. */
export async function waitFor(done: () => boolean | Promise<boolean>, timeoutMs: number, everyMs = 25): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await done()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(everyMs);
  }
}
