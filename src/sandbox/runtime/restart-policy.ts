// Docker's restart manager (moby restartmanager): which exits restart, and how long to wait.

export type RestartPolicyName = "no" | "on-failure" | "always" | "unless-stopped";

export interface RestartPolicy {
  Name: RestartPolicyName;
  MaximumRetryCount: number;
}

export class RestartPolicyError extends Error {}

const NAMES: readonly string[] = ["no", "on-failure", "always", "unless-stopped"];
const INITIAL_DELAY_MS = 100;
/** Docker caps at one minute; the sandbox keeps crash loops visible within a test's budget. */
export const SANDBOX_MAX_DELAY_MS = 1_000;
/** A container that ran this long starts its backoff afresh. */
const RESET_AFTER_MS = 10_000;

export function parseRestartPolicy(text: string): RestartPolicy {
  const [name = "", count, ...extra] = text.split(":");
  if (!NAMES.includes(name) || extra.length > 0) {
    throw new RestartPolicyError(`invalid restart policy: unknown policy '${name}'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'`);
  }
  if (count === undefined) return { Name: name as RestartPolicyName, MaximumRetryCount: 0 };
  if (name !== "on-failure") {
    throw new RestartPolicyError("invalid restart policy: maximum retry count can only be used with 'on-failure'");
  }
  if (!/^-?\d+$/.test(count)) {
    throw new RestartPolicyError("invalid restart policy format: maximum retry count must be an integer");
  }
  const max = Number(count);
  if (max < 0) throw new RestartPolicyError("invalid restart policy: maximum retry count cannot be negative");
  return { Name: "on-failure", MaximumRetryCount: max };
}

export function shouldRestart(policy: RestartPolicy, exitCode: number, restartCount: number, manuallyStopped: boolean): boolean {
  if (manuallyStopped) return false;
  switch (policy.Name) {
    case "always":
    case "unless-stopped":
      return true;
    case "on-failure":
      return exitCode !== 0 && (policy.MaximumRetryCount === 0 || restartCount < policy.MaximumRetryCount);
    default:
      return false;
  }
}

/** previousMs = 0 before the first restart. */
export function nextRestartDelay(previousMs: number, ranForMs: number, capMs = SANDBOX_MAX_DELAY_MS): number {
  const previous = ranForMs >= RESET_AFTER_MS ? 0 : previousMs;
  const next = previous === 0 ? INITIAL_DELAY_MS : previous * 2;
  return Math.min(next, capMs);
}
