// One small error hierarchy. `source` says whose move it is: the operator's input ("user"), the
// world we deploy into ("world"), or us ("internal"). Only cli/exit-codes.ts turns them into exit codes.
export type ErrorSource = "user" | "world" | "internal";

export class BluegreenError extends Error {
  readonly source: ErrorSource;
  /** What the operator should do next. */
  readonly remedy: string | undefined;
  constructor(message: string, source: ErrorSource, remedy?: string) {
    super(message);
    this.name = new.target.name;
    this.source = source;
    this.remedy = remedy;
  }
}

/** Bad command line or configuration: nothing was touched. */
export class UsageError extends BluegreenError {
  constructor(message: string, remedy?: string) {
    super(message, "user", remedy);
  }
}

export class ConfigError extends BluegreenError {
  readonly errors: string[];
  constructor(errors: string[], remedy = "fix the configuration and run `bluegreen validate`") {
    super(errors.join("\n"), "user", remedy);
    this.errors = errors;
  }
}

export class LockHeldError extends BluegreenError {
  constructor(message: string, remedy: string) {
    super(message, "world", remedy);
  }
}

/** A check before anything changed failed: the live release never changed. */
export class PreflightError extends BluegreenError {
  constructor(message: string, remedy?: string) {
    super(message, "world", remedy);
  }
}

/** A gate before traffic moved failed: the live release never changed. */
export class GateFailedError extends BluegreenError {
  readonly logs: string | undefined;
  constructor(message: string, remedy?: string, logs?: string) {
    super(message, "world", remedy);
    this.logs = logs;
  }
}

/** Traffic moved, something failed, and the previous release is live again. */
export class RolledBackError extends BluegreenError {
  constructor(message: string, remedy?: string) {
    super(message, "world", remedy);
  }
}

/** The rollback itself failed or the world is inconsistent: a human must look. */
export class RollbackFailedError extends BluegreenError {
  constructor(message: string, remedy: string) {
    super(message, "world", remedy);
  }
}

/** The release (or rollback) is live and verified on both switches, but its final tags could not be written (exit 3). */
export class FinalTagsError extends RollbackFailedError {}

export class DriftError extends BluegreenError {
  constructor(message: string, remedy: string) {
    super(message, "world", remedy);
  }
}

/** Traffic was about to move to a colour that does not serve the expected release right now: it did not move. */
export class NotReadyError extends RollbackFailedError {
  readonly problems: string[];
  constructor(message: string, problems: string[], remedy: string) {
    super(`${message}: ${problems.join("; ")}`, remedy);
    this.problems = problems;
  }
}

export type CancelSignal = "SIGINT" | "SIGTERM";

/**
 * The operator (Ctrl-C) or the CI runner (SIGTERM) asked the run to stop. Raised only between
 * steps, so whatever it interrupts is whole: the run then winds down (stop the new colour, or roll
 * back if traffic moved) and exits 130/143 or 2.
 */
export class CancelledError extends BluegreenError {
  constructor(
    readonly signal: CancelSignal,
    message = `cancelled by ${signal}`,
    remedy?: string,
  ) {
    super(message, "user", remedy);
  }
}
