// The script that prints the slowest test files from vitest JSON reports (README, Development).
import { describe, expect, it } from "vitest";
import { fileTimings, renderTimings } from "../../bench/slowest-tests.js";

const file = (name: string, startTime: number, endTime: number, statuses: string[], status = "passed") => ({
  name: `/repo/${name}`,
  startTime,
  endTime,
  status,
  assertionResults: statuses.map((s) => ({ status: s })),
});

describe("slowest test files", () => {
  it("orders files by wall time, counts tests and failures, and merges reports (the later run of a file wins)", () => {
    const a = { testResults: [file("test/a.test.ts", 0, 2_000, ["passed", "passed"]), file("test/b.test.ts", 0, 9_500, ["passed", "failed"], "failed")] };
    const b = { testResults: [file("test/a.test.ts", 0, 12_000, ["passed", "passed", "passed"])] };
    expect(fileTimings([a, b], "/repo")).toEqual([
      { file: "test/a.test.ts", seconds: 12, tests: 3, failed: 0 },
      { file: "test/b.test.ts", seconds: 9.5, tests: 2, failed: 1 },
    ]);
  });

  it("a file that failed before any test ran (e.g. in beforeAll) counts as one failure", () => {
    expect(fileTimings([{ testResults: [file("test/c.test.ts", 5, 5, [], "failed")] }], "/repo")).toEqual([
      { file: "test/c.test.ts", seconds: 0, tests: 0, failed: 1 },
    ]);
  });

  it("names a file from another checkout by its path in the repository", () => {
    expect(fileTimings([{ testResults: [file("test/d.test.ts", 0, 1_000, ["passed"])] }], "/elsewhere")[0]?.file).toBe("test/d.test.ts");
  });

  it("renders the top N with totals over every file", () => {
    const timings = fileTimings([{ testResults: [file("x.test.ts", 0, 1_000, ["passed"]), file("y.test.ts", 0, 3_000, ["passed", "passed"])] }], "/repo");
    const text = renderTimings(timings, 1);
    expect(text).toContain("y.test.ts      3.0      2       0");
    expect(text).not.toContain("x.test.ts  ");
    expect(text).toContain("2 files, 3 tests, 4 s of file time in total");
  });
});
