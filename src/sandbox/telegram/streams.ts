// Update streams: inject updates at a steady rate (round-robin over chat ids) for a count or a
// duration, as a stand-in for users talking to the bot during a release. Rates and durations are
// real time (not scaled): they model users, not Telegram's timers.
import { invalid, isInt, isPositiveNumber, isRecord, notFound } from "./control-error.js";
import type { StreamSpec, StreamStatus } from "./types.js";

const TICK_MS = 5;

interface Stream {
  spec: StreamSpec;
  startedAt: number;
  updateIds: number[];
  done: boolean;
  timer: NodeJS.Timeout | null;
}

export function validateStream(input: unknown): StreamSpec {
  if (!isRecord(input)) throw invalid("stream must be an object");
  const { token, ratePerSecond, count, durationMs, chatIds } = input;
  if (typeof token !== "string") throw invalid("token must be a string");
  if (!isPositiveNumber(ratePerSecond)) throw invalid("ratePerSecond must be a number > 0");
  if (!Array.isArray(chatIds) || chatIds.length === 0 || !chatIds.every(isInt)) {
    throw invalid("chatIds must be a non-empty array of integers");
  }
  if (count === undefined && durationMs === undefined) throw invalid("count or durationMs is required");
  const spec: StreamSpec = { token, ratePerSecond, chatIds: [...chatIds] };
  if (count !== undefined) {
    if (!isInt(count) || count < 1) throw invalid("count must be an integer >= 1");
    spec.count = count;
  }
  if (durationMs !== undefined) {
    if (!isPositiveNumber(durationMs)) throw invalid("durationMs must be a number > 0");
    spec.durationMs = durationMs;
  }
  return spec;
}

/** inject(chatId, text) creates one update and returns its id. */
export type Injector = (token: string, chatId: number, text: string) => number;

export class StreamRunner {
  private readonly streams = new Map<string, Stream>();
  private nextId = 1;

  constructor(private readonly inject: Injector) {}

  /** The spec must be validated, and its bot known, by the caller. */
  start(spec: StreamSpec): string {
    const id = `stream-${this.nextId++}`;
    const s: Stream = { spec, startedAt: Date.now(), updateIds: [], done: false, timer: null };
    this.streams.set(id, s);
    this.tick(id, s);
    if (!s.done) s.timer = setInterval(() => this.tick(id, s), TICK_MS);
    return id;
  }

  stop(id: string): { injected: number } {
    const s = this.get(id);
    this.finish(s);
    return { injected: s.updateIds.length };
  }

  status(id: string): StreamStatus {
    const s = this.get(id);
    return { injected: s.updateIds.length, done: s.done, updateIds: [...s.updateIds] };
  }

  stopAll(): void {
    for (const s of this.streams.values()) this.finish(s);
  }

  private get(id: string): Stream {
    const s = this.streams.get(id);
    if (s === undefined) throw notFound("unknown stream");
    return s;
  }

  private finish(s: Stream): void {
    s.done = true;
    if (s.timer !== null) clearInterval(s.timer);
    s.timer = null;
  }

  /** Catches up to the number of updates due by now: the first at once, then one every 1/rate s. */
  private tick(id: string, s: Stream): void {
    if (s.done) return;
    const { spec } = s;
    const elapsed = Date.now() - s.startedAt;
    const ended = spec.durationMs !== undefined && elapsed >= spec.durationMs;
    let due = ended ? Math.ceil(((spec.durationMs ?? 0) * spec.ratePerSecond) / 1000) : Math.floor((elapsed * spec.ratePerSecond) / 1000) + 1;
    if (spec.count !== undefined) due = Math.min(due, spec.count);
    while (s.updateIds.length < due) {
      const n = s.updateIds.length;
      const chatId = spec.chatIds[n % spec.chatIds.length] ?? 0;
      s.updateIds.push(this.inject(spec.token, chatId, `${id} #${n + 1}`));
    }
    if (ended || (spec.count !== undefined && s.updateIds.length >= spec.count)) this.finish(s);
  }
}
