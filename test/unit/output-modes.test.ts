// The three output shapes: plain timestamped lines off a terminal (no escape code at all), NDJSON
// with --json, and a live step list on a terminal (spinner + elapsed time, one line per finished step).
import { Writable } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { Output, type OutputOptions } from "../../src/cli/output.js";
import { clearSecrets, registerSecret } from "../../src/util/redact.js";

class Sink extends Writable {
  text = "";
  columns = 60;
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

function make(o: Partial<OutputOptions>): { out: Output; stdout: Sink; stderr: Sink } {
  const stdout = new Sink();
  const stderr = new Sink();
  const out = new Output({ json: false, color: false, verbose: false, isTty: false, out: stdout, err: stderr, frameMs: 5, ...o });
  return { out, stdout, stderr };
}

/** ESC as a visible character, so patterns need no control characters. */
const visible = (text: string): string => text.replaceAll("\u001b", "␛");

/** What a terminal would show: apply "go up N lines and clear below" to the written text. */
function screen(raw: string): string[] {
  const text = visible(raw);
  const lines: string[] = [];
  let current = "";
  for (const part of text.split(/(␛\[\d*F␛\[J|\r␛\[J|\n)/)) {
    const up = /^␛\[(\d*)F␛\[J$/.exec(part);
    if (up !== null) {
      lines.splice(lines.length - Number(up[1] ?? 0));
      current = "";
    } else if (part === "\r␛[J") current = "";
    else if (part === "\n") {
      lines.push(current);
      current = "";
    } else current += part;
  }
  return lines;
}

const ISO = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z";

afterEach(() => clearSecrets());

describe("off a terminal", () => {
  it("prints plain timestamped lines and never an escape code, even when colour was asked for", () => {
    const { out, stdout, stderr } = make({ color: true });
    out.step({ step: "preflight", status: "start" });
    out.step({ step: "stage", status: "ok", colour: "green", message: "echo-bot-green running", elapsedMs: 1234 });
    out.step({ step: "gates", status: "info", message: "1/3 healthy" });
    out.error("✖ release failed");
    const lines = stdout.text.split("\n");
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(new RegExp(`^${ISO} +\\d+\\.\\ds … preflight$`));
    expect(lines[1]).toMatch(new RegExp(`^${ISO} +\\d+\\.\\ds ✔ stage \\[green\\]: echo-bot-green running \\(1\\.2s\\)$`));
    expect(lines[2]).toBe("");
    expect(stderr.text).toBe("✖ release failed\n");
    expect(stdout.text + stderr.text).not.toContain("\u001b");
  });

  it("shows gate progress with --verbose", () => {
    const { out, stdout } = make({ verbose: true });
    out.step({ step: "gates", status: "info", message: "1/3 healthy" });
    expect(stdout.text).toMatch(new RegExp(`^${ISO} +\\d+\\.\\ds · gates: 1/3 healthy\\n$`));
  });
});

describe("--json", () => {
  it("writes one redacted JSON object per line, also on a terminal", () => {
    registerSecret("TEST-webhook-secret-123");
    const { out, stdout } = make({ json: true, isTty: true, color: true });
    out.step({ step: "webhook", status: "ok", message: "secret TEST-webhook-secret-123 set", colour: "blue" });
    out.json({ type: "result", command: "release", outcome: "released", exitCode: 0 });
    const [first, second, rest] = stdout.text.split("\n");
    expect(rest).toBe("");
    const event = JSON.parse(first ?? "") as Record<string, unknown>;
    expect(event).toEqual({ type: "step", step: "webhook", status: "ok", message: "secret <redacted> set", colour: "blue", at: event.at });
    expect(JSON.parse(second ?? "")).toEqual({ type: "result", command: "release", outcome: "released", exitCode: 0 });
    expect(stdout.text).not.toContain("\u001b");
  });

  it("keeps step statuses to CLI.md's start|ok|fail|skip: a remark on a step is a note line", () => {
    const { out, stdout } = make({ json: true, isTty: false });
    out.step({ step: "gates", status: "start", colour: "green" });
    out.step({ step: "gates", status: "info", colour: "green", message: "healthy 1/2" });
    out.step({ step: "cancel", status: "info", message: "SIGINT: finishing the current step" });
    out.step({ step: "gates", status: "ok", colour: "green" });
    const lines = stdout.text
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => [l.type, l.step, l.status])).toEqual([
      ["step", "gates", "start"],
      ["note", "gates", undefined],
      ["note", "cancel", undefined],
      ["step", "gates", "ok"],
    ]);
    expect(lines[1]).toEqual({ type: "note", step: "gates", colour: "green", message: "healthy 1/2", at: lines[1]?.at });
    for (const l of lines.filter((x) => x.type === "step")) expect(["start", "ok", "fail", "skip"]).toContain(l.status);
  });
});

describe("on a terminal", () => {
  it("shows a spinner with elapsed time while a step runs, and one line once it is done", async () => {
    const { out, stdout } = make({ isTty: true });
    out.step({ step: "stage", status: "start", colour: "green" });
    out.step({ step: "gates", status: "start", colour: "green" });
    out.step({ step: "gates", status: "info", message: "1/3 healthy" });
    await new Promise((r) => setTimeout(r, 30));
    const during = screen(stdout.text);
    expect(during).toHaveLength(2);
    expect(during[0]).toMatch(/^[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] stage \[green\] {2}\d+\.\ds$/);
    expect(during[1]).toMatch(/^[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] gates \[green\]: 1\/3 healthy {2}\d+\.\ds$/);
    out.step({ step: "stage", status: "ok", colour: "green", elapsedMs: 2500 });
    out.line("a note");
    out.step({ step: "gates", status: "fail", colour: "green", message: "health timed out" });
    const after = screen(stdout.text);
    expect(after).toHaveLength(3);
    expect(after[0]).toMatch(/^ +\d+\.\ds ✔ stage \[green\] \(2\.5s\)$/);
    expect(after[1]).toBe("a note");
    expect(after[2]).toMatch(/^ +\d+\.\ds ✖ gates \[green\]: health timed out \(\d+\.\ds\)$/);
    // NO_COLOR / --no-color: cursor movement only, never a colour.
    expect(visible(stdout.text)).not.toMatch(/␛\[\d+m/);
  });

  it("colours icons when colour is on, and keeps live lines within the terminal's width", () => {
    const { out, stdout } = make({ isTty: true, color: true });
    out.step({ step: "pull", status: "start", message: "x".repeat(200) });
    const [line] = screen(stdout.text);
    expect(line).toMatch(/^␛\[36m[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]␛\[0m pull: x+…$/);
    expect([...(line ?? "").replace(/␛\[[0-9;]*m/g, "")]).toHaveLength(59);
    out.step({ step: "pull", status: "ok", message: "done" });
    expect(screen(stdout.text).at(-1)).toMatch(/^ +\d+\.\ds ␛\[32m✔␛\[0m pull: done \(\d+\.\ds\)$/);
  });

  it("settles a live list when another Output prints (main's error printer)", () => {
    const { out, stdout } = make({ isTty: true });
    out.step({ step: "bake", status: "start" });
    const printer = new Output({ json: false, color: false, verbose: false, isTty: true, out: stdout, err: stdout });
    printer.error("✖ error: boom");
    const lines = screen(stdout.text);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^… bake {2}\d+\.\ds$/);
    expect(lines[1]).toBe("✖ error: boom");
  });
});

describe("failure summary", () => {
  it("ends with what went wrong, what was done and the next command", () => {
    const { out, stdout, stderr } = make({});
    out.failure({
      what: "release r-2 failed after the cutover",
      details: ["bake failed: 500"],
      done: "rolled back: blue is live again",
      next: "docker logs bot-green",
    });
    expect(stdout.text).toBe("");
    expect(stderr.text).toBe(
      "✖ release r-2 failed after the cutover\n  | bake failed: 500\n  done: rolled back: blue is live again\n  next: docker logs bot-green\n",
    );
  });
});

describe("a failed run on a terminal", () => {
  it("ends spinning steps as failed, so the error lines come last", () => {
    const terminal = new Sink();
    const out = new Output({ json: false, color: false, verbose: false, isTty: true, out: terminal, err: terminal, frameMs: 5 });
    out.step({ step: "bake", status: "start", colour: "green" });
    out.step({ step: "bake", status: "info", colour: "green", message: "webhook errors (miss 3/3)" });
    out.step({ step: "rollback", status: "start", message: "bake failed: webhook errors" });
    out.step({ step: "rollback", status: "ok", message: "blue is live again" });
    out.step({ step: "finalize", status: "start", colour: "blue" });
    out.failure({ what: "release r-2 failed after the cutover and was rolled back", next: "docker logs bot-green" });
    const lines = screen(terminal.text);
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatch(/^ +\d+\.\ds ✖ bake \[green\]: webhook errors \(miss 3\/3\) \(\d+\.\ds\)$/);
    expect(lines[1]).toMatch(/^ +\d+\.\ds ✔ rollback: blue is live again \(\d+\.\ds\)$/);
    expect(lines[2]).toMatch(/^ +\d+\.\ds ✖ finalize \[blue\] \(\d+\.\ds\)$/);
    expect(lines.slice(3)).toEqual(["✖ release r-2 failed after the cutover and was rolled back", "  next: docker logs bot-green"]);
  });
});
