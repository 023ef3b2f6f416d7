// Injected faults for API calls: throttling (which the SDK retries), typed or server errors, and
// latency. Each fault applies to one action (or "*") for `times` calls, or until cleared.
import { randomUUID } from "node:crypto";
import { AwsError } from "./errors.js";
import type { Service } from "./protocol.js";

export interface FaultSpec {
  action: string;
  kind: "throttle" | "error" | "latency";
  times?: number;
  code?: string;
  message?: string;
  httpStatus?: number;
  latencyMs?: number;
}

interface ActiveFault extends FaultSpec {
  id: string;
  remaining: number;
}

export class Faults {
  private active: ActiveFault[] = [];

  add(spec: FaultSpec): string {
    if (typeof spec.action !== "string" || spec.action === "") throw new Error('fault.action must be an action name or "*"');
    if (!["throttle", "error", "latency"].includes(spec.kind)) throw new Error("fault.kind must be throttle, error or latency");
    if (spec.times !== undefined && (!Number.isInteger(spec.times) || spec.times < 1)) throw new Error("fault.times must be a positive integer");
    if (spec.kind === "latency" && !(typeof spec.latencyMs === "number" && spec.latencyMs >= 0)) throw new Error("fault.latencyMs must be a number >= 0");
    const id = `fault-${randomUUID()}`;
    this.active.push({ ...spec, id, remaining: spec.times ?? Number.POSITIVE_INFINITY });
    return id;
  }

  clear(): void {
    this.active = [];
  }

  list(): FaultSpec[] {
    return this.active.map(({ id: _id, remaining: _r, ...spec }) => spec);
  }

  /** Consumes the faults matching this call: total latency, then the first throttle/error if any. */
  take(action: string, service: Service): { latencyMs: number; error?: AwsError } {
    let latencyMs = 0;
    let error: AwsError | undefined;
    for (const f of this.active) {
      if (f.remaining <= 0 || (f.action !== "*" && f.action !== action)) continue;
      if (f.kind === "latency") {
        latencyMs += f.latencyMs ?? 0;
        f.remaining -= 1;
      } else if (!error) {
        error = toError(f, service);
        f.remaining -= 1;
      }
    }
    this.active = this.active.filter((f) => f.remaining > 0);
    return error ? { latencyMs, error } : { latencyMs };
  }
}

function toError(f: FaultSpec, service: Service): AwsError {
  if (f.kind === "throttle") {
    if (service === "cloudwatch") return new AwsError(f.code ?? "Throttling", f.message ?? "Rate exceeded", f.httpStatus ?? 400);
    return service === "ec2"
      ? new AwsError(f.code ?? "RequestLimitExceeded", f.message ?? "Request limit exceeded.", f.httpStatus ?? 400)
      : new AwsError(f.code ?? "Throttling", f.message ?? "Rate exceeded", f.httpStatus ?? 400);
  }
  const status = f.httpStatus ?? 400;
  const code =
    f.code ??
    (status >= 500
      ? service === "ec2"
        ? "InternalError"
        : service === "cloudwatch"
          ? "InternalServiceError"
          : "InternalFailure"
      : service === "cloudwatch"
        ? "InvalidParameterValue"
        : "InvalidConfigurationRequest");
  return new AwsError(code, f.message ?? (status >= 500 ? "An internal error has occurred" : "Injected fault"), status);
}
