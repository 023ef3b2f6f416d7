// Telegram's webhook retry schedule, in real-service seconds (the engine scales them):
// the first retry at once, then 2, 4, 8, 16, 32, 64 s, then a random 60-120 s each time,
// until 24 h after the update was created.

export const UPDATE_LIFETIME_SECONDS = 24 * 60 * 60;

/** Wait before the next attempt after the n-th consecutive failure (n >= 1). */
export function retryWaitSeconds(failCount: number, random: () => number = Math.random): number {
  if (failCount <= 1) return 0;
  if (failCount <= 7) return 2 ** (failCount - 1);
  return 60 + random() * 60;
}

/** A `Retry-After` reply header in seconds (delta form only); undefined when absent or unusable. */
export function parseRetryAfter(header: string | string[] | undefined): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || !/^\s*\d+(\.\d+)?\s*$/.test(value)) return undefined;
  return Number(value);
}
