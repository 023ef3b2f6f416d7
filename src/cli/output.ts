// Output: three shapes of the same events. Everything printed goes through redact().
// - --json: one NDJSON object per line (step events, then the result), never anything else.
// - a terminal: a live step list. A running step shows a spinner and its elapsed time; when it
//   ends it collapses to one line (✔/✖/↷, message, duration). Colour only without NO_COLOR/--no-color.
// - anything else (CI logs, pipes): plain timestamped lines, no escape codes at all.
import type { Reporter, StepEvent } from "../ports.js";
import { redact } from "../util/redact.js";

export interface OutputOptions {
  json: boolean;
  color: boolean;
  verbose: boolean;
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream;
  isTty: boolean;
  /** Spinner redraw period on a terminal; default 100 ms. */
  frameMs?: number;
}

const SGR = { ok: "\u001b[32m", fail: "\u001b[31m", info: "\u001b[2m", start: "\u001b[36m", skip: "\u001b[33m", reset: "\u001b[0m" } as const;
const ICON = { start: "…", ok: "✔", fail: "✖", skip: "↷", info: "·" } as const;
const SPINNER = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
const SGR_CODE = new RegExp(`${"\u001b"}\\[[0-9;]*m`, "g");
const UP_AND_CLEAR = (lines: number): string => (lines > 0 ? `\u001b[${lines}F\u001b[J` : "\r\u001b[J");

type StepInput = Omit<StepEvent, "type" | "at">;

interface Running {
  key: string;
  label: string;
  message: string | undefined;
  startedAt: number;
}

/** Every live list, so a second Output (main's error printer) can settle them before it writes. */
const live = new Set<Output>();

export class Output implements Reporter {
  private readonly t0 = Date.now();
  private readonly running: Running[] = [];
  /** Lines of the live region currently on screen (below every permanent line). */
  private drawn = 0;
  private frame = 0;
  private timer: NodeJS.Timeout | undefined;

  /** Told of every step event first (main.ts: what a signal now would interrupt). */
  private readonly watchers: ((e: StepInput) => void)[] = [];

  constructor(readonly o: OutputOptions) {}

  watch(fn: (e: StepInput) => void): void {
    this.watchers.push(fn);
  }

  private get isLive(): boolean {
    return this.o.isTty && !this.o.json;
  }

  private get color(): boolean {
    return this.o.color && this.o.isTty;
  }

  line(text: string): void {
    this.permanent(this.o.out, redact(text));
  }

  error(text: string): void {
    // An error ends the run: steps still spinning did not finish, so they must not sit below it.
    this.endRunning();
    this.permanent(this.o.err, redact(text));
  }

  json(value: unknown): void {
    this.o.out.write(`${redact(JSON.stringify(value))}\n`);
  }

  step(e: StepInput): void {
    for (const w of this.watchers) w(e);
    const at = new Date().toISOString();
    if (this.o.json) {
      // CLI.md's step events carry start|ok|fail|skip only: a remark on a step (progress such as
      // "healthy 1/2", a signal's notice, a restored webhook) is its own "note" line, so a parser
      // that checks the step status enum never meets a fifth value.
      if (e.status === "info") {
        const { status: _info, ...rest } = e;
        this.json({ type: "note", ...rest, at });
      } else this.json({ type: "step", ...e, at });
      return;
    }
    if (this.isLive) {
      this.liveStep(e);
      return;
    }
    if (e.status === "info" && !this.o.verbose && e.step === "gates") return;
    this.line(`${at} ${this.clock()} ${this.render(e)}`);
  }

  /**
   * The last lines of a failed run, on stderr: what went wrong, what bluegreen already did about it,
   * and the next command to run. (--json callers put the same facts in the result line instead.)
   */
  failure(f: { what: string; details?: string[]; done?: string; next?: string }): void {
    this.error(`${this.paint("fail", ICON.fail)} ${f.what}`);
    for (const d of f.details ?? []) this.error(`  | ${d}`);
    if (f.done !== undefined) this.error(`  done: ${f.done}`);
    if (f.next !== undefined) this.error(`  next: ${f.next}`);
  }

  /** Freezes the live list where it is (spinners become "…"): call before exiting mid-step. */
  settle(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    if (this.drawn > 0 || this.running.length > 0) {
      this.o.out.write(UP_AND_CLEAR(this.drawn) + this.running.map((r) => `${this.paint("start", ICON.start)} ${this.runningText(r)}\n`).join(""));
    }
    this.running.length = 0;
    this.drawn = 0;
    live.delete(this);
  }

  private liveStep(e: StepInput): void {
    const key = `${e.step}|${e.colour ?? ""}|${e.host ?? ""}`;
    const index = this.running.findIndex((r) => r.key === key);
    if (e.status === "start") {
      // The orchestrator's steps run one at a time and a success always reports "ok": a rollback
      // starting while a step still runs means that step failed (its error became the reason).
      if (e.step === "rollback") this.endRunning();
      const entry = { key, label: label(e), message: e.message, startedAt: Date.now() };
      if (index >= 0) this.running[index] = entry;
      else this.running.push(entry);
      this.startTimer();
      this.redraw();
      return;
    }
    if (e.status === "info") {
      // Progress of a running step (e.g. "2/3 healthy") replaces its message; it is transient.
      const current = index >= 0 ? this.running[index] : this.running.find((r) => r.key.startsWith(`${e.step}|`));
      if (current !== undefined) {
        current.message = e.message;
        // --verbose keeps every progress line; otherwise it lives only in the spinner line.
        if (this.o.verbose) this.line(`${this.clock()} ${this.render(e)}`);
        else this.redraw();
        return;
      }
      if (!this.o.verbose && e.step === "gates") return;
    }
    const started = index >= 0 ? this.running.splice(index, 1)[0] : undefined;
    const elapsedMs = e.elapsedMs ?? (started !== undefined ? Date.now() - started.startedAt : undefined);
    this.line(`${this.clock()} ${this.render({ ...e, ...(elapsedMs !== undefined && e.status !== "info" ? { elapsedMs } : {}) })}`);
    if (this.running.length === 0) this.stopTimer();
  }

  /** Collapses every running step into a "✖" line with its last message and elapsed time. */
  private endRunning(): void {
    if (!this.isLive) return;
    for (const r of this.running.splice(0)) {
      const e: StepInput = { step: r.label, status: "fail", elapsedMs: Date.now() - r.startedAt, ...(r.message !== undefined ? { message: r.message } : {}) };
      this.permanent(this.o.out, redact(`${this.clock()} ${this.render(e)}`));
    }
    this.stopTimer();
  }

  /** Writes a line above the live region, then draws the region again below it. */
  private permanent(stream: NodeJS.WritableStream, text: string): void {
    for (const other of live) if (other !== this) other.settle();
    if (!this.isLive || this.drawn === 0) {
      stream.write(`${text}\n`);
      if (this.isLive && this.running.length > 0) this.redraw();
      return;
    }
    this.o.out.write(UP_AND_CLEAR(this.drawn));
    this.drawn = 0;
    stream.write(`${text}\n`);
    this.redraw();
  }

  private redraw(): void {
    // A pseudo-terminal without a size reports 0 columns: assume a common width then.
    const columns = (this.o.out as { columns?: number }).columns;
    const width = Math.max(20, columns !== undefined && columns > 0 ? columns : 100);
    const spin = SPINNER[this.frame % SPINNER.length] ?? "-";
    const lines = this.running.map((r) => `${this.paint("start", spin)} ${truncate(redact(this.runningText(r)), width - 3)}`);
    if (this.drawn === 0 && lines.length === 0) return;
    this.o.out.write((this.drawn > 0 ? UP_AND_CLEAR(this.drawn) : "") + lines.map((l) => `${l}\n`).join(""));
    this.drawn = lines.length;
  }

  private runningText(r: Running): string {
    const seconds = `${((Date.now() - r.startedAt) / 1000).toFixed(1)}s`;
    return `${r.label}${r.message !== undefined ? `: ${r.message}` : ""}  ${this.color ? `${SGR.info}${seconds}${SGR.reset}` : seconds}`;
  }

  private startTimer(): void {
    if (this.timer !== undefined) return;
    live.add(this);
    this.timer = setInterval(() => {
      this.frame++;
      this.redraw();
    }, this.o.frameMs ?? 100);
    // A spinner must never keep the process alive.
    this.timer.unref();
  }

  private stopTimer(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    live.delete(this);
  }

  private clock(): string {
    return `${((Date.now() - this.t0) / 1000).toFixed(1).padStart(6)}s`;
  }

  private paint(status: keyof typeof SGR, text: string): string {
    return this.color ? `${SGR[status]}${text}${SGR.reset}` : text;
  }

  private render(e: StepInput): string {
    const duration = e.elapsedMs !== undefined && e.status !== "start" ? ` (${(e.elapsedMs / 1000).toFixed(1)}s)` : "";
    return `${this.paint(e.status, ICON[e.status])} ${label(e)}${e.message !== undefined ? `: ${e.message}` : ""}${duration}`;
  }
}

function label(e: StepInput): string {
  return `${e.step}${e.colour !== undefined ? ` [${e.colour}]` : ""}${e.host !== undefined ? ` ${e.host}` : ""}`;
}

/** Live lines must not wrap, or the cursor arithmetic that redraws them goes wrong. */
function truncate(text: string, width: number): string {
  const chars = [...text.replace(SGR_CODE, "")];
  if (chars.length <= width) return text;
  return `${chars.slice(0, width - 1).join("")}…`;
}
