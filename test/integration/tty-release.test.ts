// A real release through the built CLI on a pseudo-terminal (`script`): the live step list shows
// spinners and collapses to one line per step; with NO_COLOR there is no colour code. The same
// release through a pipe prints plain timestamped lines without a single escape code.
import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stopWorld, tolerantHealthChecks } from "../helpers/assertions.js";
import { CLI, startTestWorld, type TestWorld } from "../helpers/sandbox-env.js";

let t: TestWorld;
beforeAll(async () => {
  t = await startTestWorld({ firstHost: 140 });
  await tolerantHealthChecks(t);
});
afterAll(async () => {
  await stopWorld(t);
});

const quote = (s: string): string => `'${s.replaceAll("'", "'\\''")}'`;

/** Runs the CLI under `script -qfec`, so its stdout is a terminal; killed by pid at the deadline. */
function onTerminal(args: string[], env: NodeJS.ProcessEnv, deadlineMs = 90_000): Promise<{ code: number | null; text: string }> {
  const command = [process.execPath, CLI, ...args, "--config-dir", t.dir].map(quote).join(" ");
  return new Promise((resolve, reject) => {
    const child = spawn("script", ["-qfec", command, "/dev/null"], { env: { ...env, COLUMNS: "120", TERM: "xterm" }, stdio: ["ignore", "pipe", "pipe"] });
    let text = "";
    const collect = (d: Buffer): void => {
      text += d.toString();
    };
    child.stdout.on("data", collect);
    child.stderr.on("data", collect);
    const timer = setTimeout(() => {
      if (child.pid !== undefined) process.kill(child.pid, "SIGKILL");
      reject(new Error(`script did not finish within ${deadlineMs} ms:\n${text}`));
    }, deadlineMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, text: text.replaceAll("\r\n", "\n") });
    });
  });
}

describe("release on a terminal", () => {
  it("shows a live step list that collapses to one line per step, without colour under NO_COLOR", async () => {
    const r = await onTerminal(["release", "itest", "--image", "v1"], t.env);
    expect(r.code, r.text).toBe(0);
    if (process.env.SHOW_TTY === "1") process.stderr.write(r.text);
    // While steps run: a spinner frame, the step, its elapsed time.
    expect(r.text).toMatch(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] preflight {2}\d+\.\ds/);
    expect(r.text).toMatch(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] bake \[blue\]/);
    // Cursor movement redraws the live lines in place.
    expect(r.text).toContain("\u001b[J");
    // Once done: one line per step, with its duration.
    for (const step of ["preflight", "pull", "stage [blue]", "gates [blue]", "cutover [blue]", "bake [blue]", "finalize [blue]"])
      expect(r.text).toMatch(new RegExp(`\\d+\\.\\ds ✔ ${step.replace(/[[\]]/g, "\\$&")}.*\\(\\d+\\.\\ds\\)`));
    expect(r.text).toContain("✔ released ");
    // No colour (SGR) code at all: ESC [ <numbers> m.
    expect(r.text.replaceAll("\u001b", "␛")).not.toMatch(/␛\[\d+(;\d+)*m/);
  });

  it("--help on a terminal is plain text", async () => {
    const r = await onTerminal(["--help"], t.env);
    expect(r.code).toBe(0);
    expect(r.text).toContain("bluegreen");
    expect(r.text).not.toContain("\u001b");
  });
});

describe("release through a pipe", () => {
  it("prints plain timestamped lines and no escape code", async () => {
    const r = await t.cli(["release", "itest", "--image", "v2"]);
    expect(r.code, `stdout:\n${r.stdout}\nstderr:\n${r.stderr}`).toBe(0);
    expect(r.stdout + r.stderr).not.toContain("\u001b");
    const steps = r.stdout.split("\n").filter((l) => / […✔✖↷·] /.test(l));
    expect(steps.length).toBeGreaterThan(8);
    for (const l of steps) expect(l).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z +\d+\.\ds […✔✖↷·] /);
    expect(r.stdout).toMatch(/✔ released r\S+ \(echo-bot@sha256:[0-9a-f]{64}\) on green in itest/);
  });
});

describe("colour on a terminal", () => {
  it("is on without NO_COLOR, and off with --no-color", async () => {
    const env = { ...t.env };
    delete env.NO_COLOR;
    const coloured = await onTerminal(["release", "itest", "--image", "v3"], env);
    expect(coloured.code, coloured.text).toBe(0);
    expect(coloured.text.replaceAll("\u001b", "␛")).toMatch(/␛\[32m✔␛\[0m finalize \[(blue|green)\]/);
    const plain = await onTerminal(["rollback", "itest", "--no-color"], env);
    expect(plain.code, plain.text).toBe(0);
    expect(plain.text).toContain("✔ ");
    expect(plain.text.replaceAll("\u001b", "␛")).not.toMatch(/␛\[\d+(;\d+)*m/);
  });
});
