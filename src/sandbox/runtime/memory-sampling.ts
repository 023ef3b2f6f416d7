// How often the supervisor samples its bot's RSS against `--memory` (docker's cgroup limit, which
// the kernel enforces at every allocation; here a sample sees it).
//
// Every sample wakes a Node process (the read of /proc itself is ~20 us; the wake-up, on 2 shared
// cores, ~0.3 ms of CPU). At a fixed 100 ms, an idle container cost 3.5 ms of CPU a second: the
// 32 supervisors of the bench's 16-host world spent ~700 ms of the machine's CPU on a release
// sampling bots far below their limits (#17). A process cannot cross its limit faster than it
// grows, so the next sample is due when it could have used up the headroom at GROWTH_BOUND: a bot
// that grows no faster than that is seen over its limit within SAMPLE_MIN_MS, as before; a bot far
// from its limit is looked at once a second.

export const SAMPLE_MIN_MS = 100;
export const SAMPLE_MAX_MS = 1_000;
/** Bytes per second; echo-bot's memory-hog grows ~30 MB/s (a loaded machine: slower). */
export const GROWTH_BOUND_BYTES_PER_S = 256 * 1024 * 1024;

/** Milliseconds until the next sample, given the last RSS read (null: not readable, sample soon). */
export function nextSampleDelayMs(rssBytes: number | null, limitBytes: number): number {
  if (rssBytes === null) return SAMPLE_MIN_MS;
  const headroom = limitBytes - rssBytes;
  const ms = Math.floor((headroom / GROWTH_BOUND_BYTES_PER_S) * 1000);
  return Math.min(SAMPLE_MAX_MS, Math.max(SAMPLE_MIN_MS, ms));
}
