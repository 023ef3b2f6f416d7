// Output: human lines (timestamps off a TTY, colour only on a TTY without NO_COLOR) or NDJSON
// events with --json. Everything printed goes through redact(): no secret reaches a terminal or log.
import type { Reporter, StepEvent } from "../ports.js";
import { redact } from "../util/redact.js";

export interface OutputOptions {
  json: boolean;
  color: boolean;
  verbose: boolean;
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream;
  isTty: boolean;
}

const COLORS = { ok: "\u001b[32m", fail: "\u001b[31m", info: "\u001b[2m", start: "\u001b[36m", skip: "\u001b[33m", reset: "\u001b[0m" } as const;
const ICON = { start: "…", ok: "✔", fail: "✖", skip: "↷", info: "·" } as const;

export class Output implements Reporter {
  private readonly t0 = Date.now();
  constructor(readonly o: OutputOptions) {}

  line(text: string): void {
    this.o.out.write(`${redact(text)}\n`);
  }

  error(text: string): void {
    this.o.err.write(`${redact(text)}\n`);
  }

  json(value: unknown): void {
    this.o.out.write(`${redact(JSON.stringify(value))}\n`);
  }

  step(e: Omit<StepEvent, "type" | "at">): void {
    const at = new Date().toISOString();
    if (this.o.json) {
      this.json({ type: "step", ...e, at });
      return;
    }
    if (e.status === "info" && !this.o.verbose && e.step === "gates") return;
    const elapsed = ((Date.now() - this.t0) / 1000).toFixed(1).padStart(6);
    const head = this.o.isTty ? `${elapsed}s` : `${at} ${elapsed}s`;
    const icon = ICON[e.status];
    const body = `${e.step}${e.colour !== undefined ? ` [${e.colour}]` : ""}${e.message !== undefined ? `: ${e.message}` : ""}${e.elapsedMs !== undefined && e.status !== "start" ? ` (${(e.elapsedMs / 1000).toFixed(1)}s)` : ""}`;
    const text = this.o.color ? `${COLORS[e.status]}${icon}${COLORS.reset} ${body}` : `${icon} ${body}`;
    this.line(`${head} ${text}`);
  }
}
