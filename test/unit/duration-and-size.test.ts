import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DURATION_PATTERN, formatDuration, parseDuration } from "../../src/util/duration.js";
import { formatSize, parseSize, SIZE_PATTERN } from "../../src/util/size.js";

describe("parseDuration", () => {
  it.each([
    ["500ms", 500],
    ["30s", 30_000],
    ["5m", 300_000],
    ["1h", 3_600_000],
    ["1h30m", 5_400_000],
    ["1m30s", 90_000],
    ["2h0m5s250ms", 7_205_250],
    ["0s", 0],
    ["0.5s", 500],
    ["1.5h", 5_400_000],
  ])("%s -> %d ms", (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(["", "5", "30", "5 m", " 5m", "5m ", "30m1h", "1s1s", "5d", "1.5ms", "0.0ms", "1.0ms", "m", "-5s", "5M", "1h 30m", "5sec"])("rejects %j", (text) => {
    expect(parseDuration(text)).toBeNull();
  });
});

describe("formatDuration", () => {
  it.each([
    [0, "0s"],
    [500, "500ms"],
    [1_500, "1s500ms"],
    [30_000, "30s"],
    [300_000, "5m"],
    [5_400_000, "1h30m"],
    [90_000_000, "25h"],
    [-30_000, "-30s"],
  ])("%d -> %s", (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it("parses back to the same number for every whole millisecond count", () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 10 * 24 * 3_600_000 }), (ms) => parseDuration(formatDuration(ms)) === ms));
  });

  it("DURATION_PATTERN accepts exactly what parseDuration accepts", () => {
    const pattern = new RegExp(DURATION_PATTERN);
    const text = fc.stringMatching(/^[0-9.hms ]{0,8}$/);
    fc.assert(fc.property(text, (t) => pattern.test(t) === (parseDuration(t) !== null)));
  });
});

describe("parseSize / formatSize", () => {
  it.each([
    ["400m", 400 * 1024 ** 2],
    ["400M", 400 * 1024 ** 2],
    ["1g", 1024 ** 3],
    ["512k", 512 * 1024],
    ["1024b", 1024],
    ["1024", 1024],
    ["1.5g", 1.5 * 1024 ** 3],
    ["0", 0],
  ])("%s -> %d bytes", (text, bytes) => {
    expect(parseSize(text)).toBe(bytes);
  });

  it.each(["", "m", "400mb", "400 m", "-1m", "1t", "400MiB", "1e3"])("rejects %j", (text) => {
    expect(parseSize(text)).toBeNull();
  });

  it.each([
    [400 * 1024 ** 2, "400m"],
    [1024 ** 3, "1g"],
    [1536, "1536b"],
    [2048, "2k"],
    [0, "0b"],
  ])("%d -> %s", (bytes, text) => {
    expect(formatSize(bytes)).toBe(text);
  });

  it("parses back to the same number", () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 40 }), (bytes) => parseSize(formatSize(bytes)) === bytes));
  });

  it("SIZE_PATTERN accepts exactly what parseSize accepts", () => {
    const pattern = new RegExp(SIZE_PATTERN);
    fc.assert(fc.property(fc.stringMatching(/^[0-9.bkmgBKMGt ]{0,6}$/), (t) => pattern.test(t) === (parseSize(t) !== null)));
  });
});
