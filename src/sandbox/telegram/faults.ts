// Injected Bot API faults: answer an error envelope, delay, or drop the connection, for calls of
// one method (or all), a number of times or until cleared. They let tests play an unreachable or
// rate-limiting Telegram against the orchestrator.
import { invalid, isInt, isRecord } from "./control-error.js";
import type { FaultSpec } from "./types.js";

interface ActiveFault {
  id: string;
  spec: FaultSpec;
  remaining: number | undefined;
  /** False until a call of spec.armedBy arrived. */
  armed: boolean;
}

const KINDS = new Set(["status", "latency", "drop"]);

export function validateFault(input: unknown): FaultSpec {
  if (!isRecord(input)) throw invalid("fault must be an object");
  const { method, kind, status, description, retryAfter, latencyMs, times, armedBy } = input;
  if (typeof method !== "string" || method === "") throw invalid("method must be a non-empty string");
  if (typeof kind !== "string" || !KINDS.has(kind)) throw invalid('kind must be "status", "latency" or "drop"');
  const spec: FaultSpec = { method: method.toLowerCase(), kind: kind as FaultSpec["kind"] };
  if (kind === "status") {
    if (!isInt(status) || status < 400 || status > 599) throw invalid("status must be an integer 400..599");
    spec.status = status;
  }
  if (kind === "latency") {
    if (typeof latencyMs !== "number" || !Number.isFinite(latencyMs) || latencyMs < 0) {
      throw invalid("latencyMs must be a number >= 0");
    }
    spec.latencyMs = latencyMs;
  }
  if (description !== undefined) {
    if (typeof description !== "string") throw invalid("description must be a string");
    spec.description = description;
  }
  if (retryAfter !== undefined) {
    if (!isInt(retryAfter) || retryAfter < 0) throw invalid("retryAfter must be an integer >= 0");
    spec.retryAfter = retryAfter;
  }
  if (times !== undefined) {
    if (!isInt(times) || times < 1) throw invalid("times must be an integer >= 1");
    spec.times = times;
  }
  if (armedBy !== undefined) {
    if (typeof armedBy !== "string" || armedBy === "") throw invalid("armedBy must be a non-empty method name");
    spec.armedBy = armedBy.toLowerCase();
  }
  return spec;
}

export class FaultRegistry {
  private faults: ActiveFault[] = [];
  private nextId = 1;

  add(input: unknown): string {
    const spec = validateFault(input);
    const id = `fault-${this.nextId++}`;
    this.faults.push({ id, spec, remaining: spec.times, armed: spec.armedBy === undefined });
    return id;
  }

  clear(): void {
    this.faults = [];
  }

  /** The first fault matching a call of `method` (lowercase), used up by one. */
  take(method: string): FaultSpec | undefined {
    const dormant = this.faults.filter((x) => !x.armed);
    const f = this.faults.find((x) => x.armed && (x.spec.method === "*" || x.spec.method === method));
    // The arming call itself passes: the fault applies from the next call on.
    for (const x of dormant) if (x.spec.armedBy === method) x.armed = true;
    if (f === undefined) return undefined;
    if (f.remaining !== undefined) {
      f.remaining -= 1;
      if (f.remaining <= 0) this.faults = this.faults.filter((x) => x !== f);
    }
    return f.spec;
  }
}
