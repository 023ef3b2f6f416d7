// The only place errors become exit codes (docs/CLI contract: 0 1 2 3 64 75, and 130/143 for a run cancelled by SIGINT/SIGTERM).
import {
  BluegreenError,
  CancelledError,
  ConfigError,
  DriftError,
  GateFailedError,
  LockHeldError,
  PreflightError,
  RollbackFailedError,
  RolledBackError,
  UsageError,
} from "../errors.js";
import { SIGNAL_EXIT } from "../orchestrator/cancel.js";

export const EXIT = { ok: 0, failed: 1, rolledBack: 2, needsHuman: 3, usage: 64, locked: 75, sigint: 130, sigterm: 143 } as const;

export function exitCodeOf(e: unknown): number {
  if (e instanceof CancelledError) return SIGNAL_EXIT[e.signal];
  if (e instanceof UsageError || e instanceof ConfigError) return EXIT.usage;
  if (e instanceof LockHeldError) return EXIT.locked;
  if (e instanceof PreflightError || e instanceof GateFailedError) return EXIT.failed;
  if (e instanceof RolledBackError) return EXIT.rolledBack;
  if (e instanceof RollbackFailedError || e instanceof DriftError) return EXIT.needsHuman;
  if (e instanceof BluegreenError && e.source === "user") return EXIT.usage;
  // Unknown failures: we cannot prove traffic did not move, so a human should look.
  return EXIT.needsHuman;
}

export function outcomeOf(code: number): "released" | "rolled-back" | "failed" | "needs-human" | "locked" | "usage" | "cancelled" {
  switch (code) {
    case EXIT.sigint:
    case EXIT.sigterm:
      return "cancelled";
    case EXIT.ok:
      return "released";
    case EXIT.failed:
      return "failed";
    case EXIT.rolledBack:
      return "rolled-back";
    case EXIT.locked:
      return "locked";
    case EXIT.usage:
      return "usage";
    default:
      return "needs-human";
  }
}
