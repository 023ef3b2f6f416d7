// Calls counted where they leave the process: AWS per operation, Telegram per method, commands
// (and HTTP requests) per host. The bench and the integration tests read these to keep every call
// earning its place; with BLUEGREEN_CALL_COUNTS=<file> the CLI writes them there as JSON on exit.
import { writeFileSync } from "node:fs";

export type CallKind = "aws" | "telegram" | "host" | "hostHttp";

export interface CallCounts {
  aws: Record<string, number>;
  telegram: Record<string, number>;
  /** Commands run per host (exec), keyed by the host's name. */
  host: Record<string, number>;
  /** HTTP requests to a host's own port (an SSH tunnel on real hosts), per host. */
  hostHttp: Record<string, number>;
  /**
   * The longest chain of calls that ran one after another (each starting after the previous one
   * ended): with a fixed latency per call, the least wall time those calls can take is depth x latency.
   */
  depth: number;
  /**
   * Wall time during which at least one call of each kind was in flight (the union of their spans):
   * how much of a run's time its host commands, AWS or Telegram calls account for.
   */
  busyMs?: Record<CallKind, number>;
  /** CPU time of the whole process (user + system), written with the counts. */
  cpuMs?: number;
  /**
   * The same calls in the order the run made them, grouped by the step they fell in (`mark`): the
   * ledger that says which step pays for which call. Consecutive calls of one step are one entry.
   */
  ledger?: LedgerEntry[];
}

/** The calls made while one step (or the reads after it) ran: AWS and Telegram per operation, hosts summed. */
export interface LedgerEntry {
  step: string;
  aws?: Record<string, number>;
  telegram?: Record<string, number>;
  host?: number;
  hostHttp?: number;
}

/** Longest chain of non-overlapping intervals (greedy by end time: optimal for interval scheduling). */
export function callDepth(spans: readonly (readonly [number, number])[]): number {
  let depth = 0;
  let free = Number.NEGATIVE_INFINITY;
  for (const [start, end] of [...spans].sort((a, b) => a[1] - b[1])) {
    if (start >= free) {
      depth += 1;
      free = end;
    }
  }
  return depth;
}

/** Total length of the union of intervals (overlapping calls count once). */
export function busyTime(spans: readonly (readonly [number, number])[]): number {
  let busy = 0;
  let from = Number.NEGATIVE_INFINITY;
  let to = Number.NEGATIVE_INFINITY;
  for (const [start, end] of [...spans].sort((a, b) => a[0] - b[0])) {
    if (start > to) {
      busy += to - from > 0 ? to - from : 0;
      from = start;
      to = end;
    } else if (end > to) to = end;
  }
  return busy + (to - from > 0 ? to - from : 0);
}

type Buckets = Omit<CallCounts, "depth" | "busyMs" | "cpuMs" | "ledger">;
const empty = (): Buckets => ({ aws: {}, telegram: {}, host: {}, hostHttp: {} });

export class CallCounter {
  private counts = empty();
  private spans: [number, number, CallKind][] = [];
  private ledger: LedgerEntry[] = [];
  private step = "start";
  /** Bumped by every mark: a step marked again later (a retried step) is a new entry, even with no calls between. */
  private marks = 0;
  private ledgerMark = -1;
  /** `now`: the clock the spans are timed with (a test gives its own). */
  constructor(private readonly now: () => number = () => performance.now()) {}

  /** Counts one call now; the returned function marks its end (for the call depth). */
  add(kind: CallKind, key: string): () => void {
    const bucket = this.counts[kind];
    bucket[key] = (bucket[key] ?? 0) + 1;
    this.inLedger(kind, key);
    const span: [number, number, CallKind] = [this.now(), Number.POSITIVE_INFINITY, kind];
    this.spans.push(span);
    return () => {
      span[1] = this.now();
    };
  }

  /** Counts `run` as one call that lasts until its promise settles. */
  async time<T>(kind: CallKind, key: string, run: () => Promise<T>): Promise<T> {
    const done = this.add(kind, key);
    try {
      return await run();
    } finally {
      done();
    }
  }

  /** Calls from now on belong to `step` in the ledger (the CLI marks each step's start and end). */
  mark(step: string): void {
    this.step = step;
    this.marks += 1;
  }

  private inLedger(kind: CallKind, key: string): void {
    let last = this.ledger[this.ledger.length - 1];
    if (last === undefined || this.ledgerMark !== this.marks) {
      last = { step: this.step };
      this.ledger.push(last);
      this.ledgerMark = this.marks;
    }
    if (kind === "aws" || kind === "telegram") {
      const ops = last[kind] ?? {};
      ops[key] = (ops[key] ?? 0) + 1;
      last[kind] = ops;
    } else last[kind] = (last[kind] ?? 0) + 1;
  }

  snapshot(): CallCounts {
    const ended = this.spans.filter((s) => Number.isFinite(s[1]));
    const busy = (kind: CallKind) => Math.round(busyTime(ended.filter((s) => s[2] === kind).map(([a, b]) => [a, b] as const)));
    return {
      ...structuredClone(this.counts),
      depth: callDepth(ended.map(([a, b]) => [a, b] as const)),
      busyMs: { aws: busy("aws"), telegram: busy("telegram"), host: busy("host"), hostHttp: busy("hostHttp") },
      ledger: structuredClone(this.ledger),
    };
  }

  reset(): void {
    this.counts = empty();
    this.spans = [];
    this.ledger = [];
    this.step = "start";
    this.ledgerMark = -1;
  }
}

/** The one counter of this process: every adapter counts into it unless given its own. */
export const processCalls = new CallCounter();

export function total(bucket: Record<string, number>): number {
  return Object.values(bucket).reduce((a, b) => a + b, 0);
}

/** Writes the process's counts where BLUEGREEN_CALL_COUNTS says (a no-op when unset). */
export function writeCallCounts(env: NodeJS.ProcessEnv, counter: CallCounter = processCalls): void {
  const file = env.BLUEGREEN_CALL_COUNTS;
  if (file === undefined || file === "") return;
  const cpu = process.cpuUsage();
  writeFileSync(file, `${JSON.stringify({ ...counter.snapshot(), cpuMs: Math.round((cpu.user + cpu.system) / 1000) })}\n`);
}
