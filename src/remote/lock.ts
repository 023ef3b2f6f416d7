// The deploy lock: `mkdir` is atomic on every POSIX filesystem, so exactly one run creates the lock
// directory. The lease file inside says who holds it and until when, so a crashed run's lock can
// be taken over once the lease expires (or at once, when its pid is gone on the same machine).
export interface Lease {
  owner: string;
  machine: string;
  pid: number;
  releaseId: string;
  command: string;
  acquiredAt: string;
  expiresAt: string;
}

export function lockPath(dir: string, environment: string): string {
  return `${dir.replace(/\/+$/, "")}/${environment}.lock`;
}

export const lockCommands = {
  /** Exit 0: acquired. Exit 1 with "exists": somebody holds it. */
  acquire: (path: string): string[] => [
    "sh",
    "-c",
    'mkdir -p "$(dirname "$1")" && if mkdir "$1" 2>/dev/null; then cat > "$1/lease.json"; else echo exists >&2; exit 1; fi',
    "sh",
    path,
  ],
  read: (path: string): string[] => ["sh", "-c", 'if [ -f "$1/lease.json" ]; then cat "$1/lease.json"; fi', "sh", path],
  /** Takes an expired lock away atomically: only one racer's rename succeeds. */
  breakStale: (path: string, token: string): string[] => ["sh", "-c", 'mv "$1" "$1.stale-$2" 2>/dev/null && rm -rf "$1.stale-$2"', "sh", path, token],
  /** Rewrites the lease only while it is still ours (`mine` is a string only our lease contains). */
  renew: (path: string, mine: string): string[] => [
    "sh",
    "-c",
    'grep -qF -- "$2" "$1/lease.json" 2>/dev/null && cat > "$1/lease.json.tmp.$$" && mv -f "$1/lease.json.tmp.$$" "$1/lease.json"',
    "sh",
    path,
    mine,
  ],
  release: (path: string): string[] => ["rm", "-rf", "--", path],
  /**
   * Removes the lock only while the lease is still ours, in one exec: every `mine` string must be
   * in it (a takeover by someone else after our lease expired stays theirs). Exit 0 either way.
   */
  releaseIfMine: (path: string, mine: readonly string[]): string[] => [
    "sh",
    "-c",
    'p=$1; shift; for t in "$@"; do grep -qF -- "$t" "$p/lease.json" 2>/dev/null || exit 0; done; rm -rf -- "$p"',
    "sh",
    path,
    ...mine,
  ],
};

/** Strings only our own lease holds (JSON.stringify's key order: owner, machine, pid, ..., acquiredAt). */
export function leaseTokens(lease: Pick<Lease, "machine" | "pid" | "acquiredAt">): string[] {
  return [`"machine":${JSON.stringify(lease.machine)},"pid":${lease.pid},`, `"acquiredAt":${JSON.stringify(lease.acquiredAt)}`];
}

export function parseLease(text: string): Lease | null {
  if (text.trim() === "") return null;
  try {
    const v = JSON.parse(text) as Partial<Lease>;
    if (typeof v.owner !== "string" || typeof v.expiresAt !== "string" || typeof v.pid !== "number") return null;
    return v as Lease;
  } catch {
    return null;
  }
}

export function leaseExpired(lease: Lease, nowMs: number): boolean {
  return Date.parse(lease.expiresAt) <= nowMs;
}
