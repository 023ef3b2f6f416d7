// The sandbox's `docker events --since/--until` values, read as docker reads them.
import { describe, expect, it } from "vitest";
import { parseEventTime, parseGoDuration } from "../../src/sandbox/runtime/commands/events.js";

describe("docker events time flags", () => {
  it.each<[string, number | null]>([
    ["0s", 0],
    ["90s", 90_000],
    ["1m30s", 90_000],
    ["1.5h", 5_400_000],
    ["250ms", 250],
    ["-1s", -1_000],
    ["10", null],
    ["1x", null],
    ["", null],
  ])("duration %j", (text, ms) => {
    expect(parseGoDuration(text)).toBe(ms);
  });

  const now = 1_700_000_000_000;
  it.each<[string, number]>([
    ["10m", now - 600_000],
    ["0s", now],
    ["-1s", now + 1_000], // docker waits for a --until in the future
    ["1700000000", 1_700_000_000_000],
    ["1700000000.5", 1_700_000_000_500],
    ["0", 0],
    ["2023-11-14T22:13:20Z", 1_700_000_000_000],
  ])("time %j", (text, ms) => {
    expect(parseEventTime("since", text, now)).toBe(ms);
  });

  it("rejects anything else, naming the flag", () => {
    expect(() => parseEventTime("until", "yesterday", now)).toThrow('invalid value "yesterday" for flag --until');
  });
});
