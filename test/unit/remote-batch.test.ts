// The batch runner (src/remote/batch.ts): several host commands in one exec. Its argv is checked
// word for word, and it is run by a real `sh` here, so the script, the parser and the fakes'
// emulation (formatBatchOutput) are held to the same output, hostile values included.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { ExecResult } from "../../src/ports.js";
import { BATCH_SCRIPT, batchArgv, decodeBatch, formatBatchOutput, parseBatch } from "../../src/remote/batch.js";

const dir = mkdtempSync(join(tmpdir(), "bluegreen-batch-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function runSh(argv: readonly string[], stdin = ""): ExecResult {
  const [program = "", ...args] = argv;
  const r = spawnSync(program, args, { input: stdin, encoding: "utf8" });
  return { code: r.status ?? 255, stdout: r.stdout, stderr: r.stderr };
}

describe("batchArgv", () => {
  it("is sh -c with the fixed script and every word as a positional parameter", () => {
    expect(
      batchArgv(
        [
          { argv: ["docker", "version", "--format", "{{.Server.Version}}"] },
          { argv: ["df", "-Pk", "/"], stop: true },
          { argv: ["sh", "-c", 'cat > "$1"', "sh", "/x"], stdin: true, stop: true },
        ],
        "bluegreen-m1",
      ),
    ).toEqual([
      "sh",
      "-c",
      BATCH_SCRIPT,
      "bluegreen-batch",
      "bluegreen-m1",
      "-",
      "4",
      "docker",
      "version",
      "--format",
      "{{.Server.Version}}",
      "s",
      "3",
      "df",
      "-Pk",
      "/",
      "si",
      "5",
      "sh",
      "-c",
      'cat > "$1"',
      "sh",
      "/x",
    ]);
  });

  it("refuses two steps reading stdin, an empty step and a marker that is not plain", () => {
    expect(() =>
      batchArgv([
        { argv: ["cat"], stdin: true },
        { argv: ["cat"], stdin: true },
      ]),
    ).toThrow(/stdin to one step only/);
    expect(() => batchArgv([{ argv: [] }])).toThrow(/needs a program/);
    expect(() => batchArgv([{ argv: ["true"] }], "a b")).toThrow(/marker/);
  });

  it("a random marker per call, and decodeBatch gives the steps back", () => {
    const steps = [{ argv: ["docker", "ps"] }, { argv: ["cat"], stdin: true, stop: true }];
    const a = batchArgv(steps);
    expect(a[4]).not.toBe(batchArgv(steps)[4]);
    expect(decodeBatch(a)).toEqual({ marker: a[4], steps });
    expect(decodeBatch(["sh", "-c", "echo", "x"])).toBeNull();
  });
});

describe("the batch script under a real sh", () => {
  it("runs every step with its own exit code, stdout and stderr, exactly as the fakes format them", () => {
    const steps = [
      { argv: ["printf", "%s", "no newline"] },
      { argv: ["sh", "-c", "echo to-err >&2; printf 'two\\nlines\\n'; exit 3", "sh"] },
      { argv: ["cat"], stdin: true },
      { argv: ["no-such-program-bluegreen"] },
    ];
    const argv = batchArgv(steps, "bluegreen-m2");
    const res = runSh(argv, "the stdin");
    expect(res.code).toBe(0);
    const results = parseBatch(argv, res);
    expect(results.slice(0, 3)).toEqual([
      { code: 0, stdout: "no newline", stderr: "" },
      { code: 3, stdout: "two\nlines\n", stderr: "to-err\n" },
      { code: 0, stdout: "the stdin", stderr: "" },
    ]);
    expect(results[3]?.code).toBe(127);
    expect(res.stdout).toBe(formatBatchOutput("bluegreen-m2", results as ExecResult[]));
  });

  it("a failing `stop` step ends the batch: the steps after it do not run", () => {
    const flag = join(dir, "ran");
    const argv = batchArgv(
      [{ argv: ["true"], stop: true }, { argv: ["sh", "-c", "echo broken >&2; exit 4", "sh"], stop: true }, { argv: ["touch", flag] }],
      "bluegreen-m3",
    );
    const results = parseBatch(argv, runSh(argv));
    expect(results).toEqual([{ code: 0, stdout: "", stderr: "" }, { code: 4, stdout: "", stderr: "broken\n" }, undefined]);
    expect(existsSync(flag)).toBe(false);
  });

  it("only the stdin step reads stdin; the others read nothing", () => {
    const argv = batchArgv([{ argv: ["cat"] }, { argv: ["cat"], stdin: true }], "bluegreen-m4");
    expect(parseBatch(argv, runSh(argv, "secret")).map((r) => r?.stdout)).toEqual(["", "secret"]);
  });

  it("a hostile value stays one inert word: nothing it says is run", () => {
    const pwned = join(dir, "pwned");
    const hostile = `$(touch ${pwned}) \`touch ${pwned}\` "; touch ${pwned}; echo " ' \${HOME} * \n; touch ${pwned}`;
    const many = Array.from({ length: 12 }, (_, i) => `w${i}`);
    const argv = batchArgv([{ argv: ["printf", "%s|", hostile, ...many] }, { argv: ["printf", "%s", "*"] }], "bluegreen-m5");
    const results = parseBatch(argv, runSh(argv));
    expect(results[0]).toEqual({ code: 0, stdout: `${hostile}|${many.join("|")}|`, stderr: "" });
    expect(results[1]?.stdout).toBe("*");
    expect(existsSync(pwned)).toBe(false);
  });

  it("output that imitates the boundaries of another call cannot end a step early", () => {
    const argv = batchArgv([{ argv: ["printf", "\nbluegreen-m6x end 0 0\n"] }, { argv: ["echo", "next"] }], "bluegreen-m6");
    expect(parseBatch(argv, runSh(argv)).map((r) => r?.stdout)).toEqual(["\nbluegreen-m6x end 0 0\n", "next\n"]);
  });
});

describe("parseBatch when the batch itself broke", () => {
  const argv = batchArgv([{ argv: ["docker", "version"] }, { argv: ["df", "-Pk", "/"] }], "bluegreen-m7");

  it("no sh on the host: every step reports the batch's own failure", () => {
    const r = { code: 127, stdout: "", stderr: "sh: command not found\n" };
    expect(parseBatch(argv, r)).toEqual([
      { code: 127, stdout: "", stderr: "sh: command not found" },
      { code: 127, stdout: "", stderr: "sh: command not found" },
    ]);
  });

  it("cut off after the first step: the first is kept, the second names where it stopped", () => {
    const first = formatBatchOutput("bluegreen-m7", [{ code: 0, stdout: "27.0\n", stderr: "" }]);
    const [a, b] = parseBatch(argv, { code: 137, stdout: `${first}bluegreen-m7 out 1\npartial`, stderr: "" });
    expect(a).toEqual({ code: 0, stdout: "27.0\n", stderr: "" });
    expect(b).toEqual({ code: 137, stdout: "", stderr: "the batched commands ended before `df -Pk /` finished (exit 137)" });
  });

  it("refuses an argv that is not a batch", () => {
    expect(() => parseBatch(["docker", "ps"], { code: 0, stdout: "", stderr: "" })).toThrow(/not a batch/);
  });
});
