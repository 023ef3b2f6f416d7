// When the supervisor samples its bot's RSS against --memory (src/sandbox/runtime/memory-sampling.ts):
// often near the limit, once a second far from it, never later than a bot growing at the bound
// could take to cross it.
import { describe, expect, it } from "vitest";
import { GROWTH_BOUND_BYTES_PER_S, nextSampleDelayMs, SAMPLE_MAX_MS, SAMPLE_MIN_MS } from "../../src/sandbox/runtime/memory-sampling.js";

const MiB = 1024 * 1024;

describe("nextSampleDelayMs", () => {
  it.each([
    // rss, limit, delay: the headroom at 256 MiB/s, between 100 ms and 1 s
    [45 * MiB, 256 * MiB, 824],
    [45 * MiB, 400 * MiB, SAMPLE_MAX_MS],
    [45 * MiB, 64 * MiB, SAMPLE_MIN_MS],
    [120 * MiB, 150 * MiB, 117],
    [64 * MiB, 64 * MiB, SAMPLE_MIN_MS],
  ])("rss %d of limit %d: next sample in %d ms", (rss, limit, delay) => {
    expect(nextSampleDelayMs(rss, limit)).toBe(delay);
  });

  it("an RSS that could not be read is sampled again soon", () => {
    expect(nextSampleDelayMs(null, 256 * MiB)).toBe(SAMPLE_MIN_MS);
  });

  it("a bot growing at the bound cannot pass its limit before the next sample", () => {
    for (let rss = 0; rss <= 512 * MiB; rss += 7 * MiB) {
      const limit = 512 * MiB;
      const delay = nextSampleDelayMs(rss, limit);
      if (delay > SAMPLE_MIN_MS) expect(rss + (GROWTH_BOUND_BYTES_PER_S * delay) / 1000).toBeLessThanOrEqual(limit);
    }
  });
});
