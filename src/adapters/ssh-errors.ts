// Typed failures of talking to a host, so the CLI can tell "fix your known_hosts" (user) from
// "the host went away" (world). `source` follows the project's error convention.

/** The host offered a key we refuse: unknown, changed or revoked. No command was run. */
export class HostKeyError extends Error {
  readonly source: "user" | "world";
  constructor(
    message: string,
    readonly host: string,
    readonly reason: "unknown" | "changed" | "revoked",
    readonly offeredFingerprint: string,
  ) {
    super(message);
    this.name = "HostKeyError";
    // An unknown key is fixed by configuration; a changed or revoked one is news about the world.
    this.source = reason === "unknown" ? "user" : "world";
  }
}

/** The connection could not be made, or was lost while a command or request was in flight. */
export class HostConnectionError extends Error {
  readonly source = "world" as const;
  constructor(
    message: string,
    readonly host: string,
    cause?: unknown,
  ) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = "HostConnectionError";
  }
}

/** A command outlived its timeout; its channel (or process) was killed. */
export class HostCommandTimeoutError extends Error {
  readonly source = "world" as const;
  constructor(
    message: string,
    readonly host: string,
    readonly timeoutMs: number,
  ) {
    super(message);
    this.name = "HostCommandTimeoutError";
  }
}
