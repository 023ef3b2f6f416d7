// The CLI's front door, in-process: help, version, usage errors and their exit codes (64 = nothing touched).
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse, runsAs } from "../../src/cli/args.js";
import { commandHelp, HELP } from "../../src/cli/help.js";
import { errorLines } from "../../src/cli/main.js";
import {
  CancelledError,
  ConfigError,
  DriftError,
  GateFailedError,
  LockHeldError,
  PreflightError,
  RollbackFailedError,
  RolledBackError,
  UsageError,
} from "../../src/errors.js";
import { runCli } from "../fakes/cli-run.js";

const VERSION = (JSON.parse(readFileSync("package.json", "utf8")) as { version: string }).version;
const NEXT_HELP = "  next: see `bluegreen --help`\n";

describe("bluegreen CLI basics", () => {
  it("--help prints the help and exits 0", async () => {
    expect(await runCli(["--help"])).toEqual({ code: 0, out: HELP, err: "" });
    expect(await runCli(["-h"])).toEqual({ code: 0, out: HELP, err: "" });
    // A command's --help is its own usage and flags (cli-flags.test.ts), not the global help.
    expect(await runCli(["release", "--help"])).toEqual({ code: 0, out: commandHelp("release"), err: "" });
  });

  it("no command prints the help and exits 64", async () => {
    expect(await runCli([])).toEqual({ code: 64, out: HELP, err: "" });
  });

  // main.ts finds package.json relative to its compiled location (dist/src/cli), so run the build.
  it("--version prints package.json's version (compiled CLI)", () => {
    expect(VERSION).toBe("0.1.0");
    const r = spawnSync(process.execPath, ["dist/src/cli/main.js", "--version"], { encoding: "utf8", timeout: 30_000 });
    expect({ code: r.status, out: r.stdout, err: r.stderr }).toEqual({ code: 0, out: "0.1.0\n", err: "" });
  });

  it("unknown command: exit 64 with the command list", async () => {
    expect(await runCli(["deploy", "production"])).toEqual({
      code: 64,
      out: "",
      err: '✖ unknown command "deploy"\n  next: commands: validate, plan, rehearse, release, rollback, promote, status, history, lock, sandbox (see `bluegreen --help`)\n',
    });
  });

  it("unknown flag: exit 64 naming the flag", async () => {
    expect(await runCli(["validate", "--frobnicate"])).toEqual({ code: 64, out: "", err: `✖ Unknown option '--frobnicate'\n${NEXT_HELP}` });
  });

  it("a string flag without its value: exit 64", async () => {
    const r = await runCli(["release", "production", "--image"]);
    expect(r.code).toBe(64);
    expect(r.err).toBe(`✖ Option '--image <value>' argument missing\n${NEXT_HELP}`);
  });

  it("release without --image: exit 64", async () => {
    expect(await runCli(["release", "production"])).toEqual({
      code: 64,
      out: "",
      err: "✖ release needs --image REF\n  next: e.g. bluegreen release production --image v2 (a tag or @sha256:digest)\n",
    });
  });

  it("plan (and release --dry-run) without --image: exit 64", async () => {
    const want = { code: 64, out: "", err: "✖ plan needs --image REF\n  next: e.g. bluegreen plan production --image v2\n" };
    expect(await runCli(["plan", "production"])).toEqual(want);
    expect(await runCli(["release", "production", "--dry-run"])).toEqual(want);
  });

  it("--dry-run only on release: rollback and promote refuse it (exit 64, before any file is read) and say what to use", async () => {
    // review s9 F1: `rollback ENV --dry-run` rolled back for real, with Ctrl-C handling off.
    const rollback = await runCli(["rollback", "production", "--dry-run", "--config-dir", "/nonexistent-bluegreen"]);
    expect(rollback.code).toBe(64);
    expect(rollback.out).toBe("");
    expect(rollback.err).toContain(
      "--dry-run: `bluegreen rollback` has no dry run (only `bluegreen release`, where it is `bluegreen plan`); nothing was touched",
    );
    expect(rollback.err).toContain("next: `bluegreen status ENV` shows the previous release a rollback would put back");
    const promote = await runCli(["promote", "staging", "production", "--dry-run", "--json"]);
    expect(promote.code).toBe(64);
    expect(JSON.parse(promote.out)).toMatchObject({ outcome: "usage", exitCode: 64, error: expect.stringContaining("`bluegreen promote` has no dry run") });
    expect(JSON.parse(promote.out).remedy).toContain("`bluegreen plan TO --image @sha256:<digest>`");
  });

  it("signal handling follows what runs: release --dry-run is plan (no wind-down); rollback, promote and release wind down", () => {
    const runs = (argv: string[]) => {
      const p = parse(argv);
      return runsAs({ command: p.command ?? "validate", flags: p.flags });
    };
    expect(runs(["release", "production", "--image", "v2", "--dry-run"])).toEqual({ command: "plan", changes: false });
    expect(runs(["release", "production", "--image", "v2"])).toEqual({ command: "release", changes: true });
    expect(runs(["rollback", "production"])).toEqual({ command: "rollback", changes: true });
    expect(runs(["promote", "staging", "production"])).toEqual({ command: "promote", changes: true });
    expect(runs(["status", "production"])).toEqual({ command: "status", changes: false });
  });

  it("release without ENV, or with two: exit 64", async () => {
    expect(await runCli(["release", "--image", "v2"])).toEqual({
      code: 64,
      out: "",
      err: "✖ release takes ENV\n  next: usage: bluegreen release ENV\n",
    });
    expect(await runCli(["release", "a", "b", "--image", "v2"])).toEqual({
      code: 64,
      out: "",
      err: '✖ release takes ENV; unexpected "b"\n  next: usage: bluegreen release ENV\n',
    });
  });

  it("bad durations and limits: exit 64 with the value", async () => {
    expect(await runCli(["release", "production", "--image", "v2", "--bake", "soon"])).toEqual({
      code: 64,
      out: "",
      err: '✖ --bake "soon": not a duration\n  next: use a duration like 30s, 5m or 1h\n',
    });
    expect(await runCli(["history", "production", "--limit", "0"])).toEqual({
      code: 64,
      out: "",
      err: '✖ --limit "0": must be a whole number from 1 to 10000\n',
    });
  });

  it("--json errors are one result line on stdout", async () => {
    const r = await runCli(["deploy", "--json"]);
    expect(r.code).toBe(64);
    expect(r.err).toBe("");
    expect(r.out.endsWith("\n")).toBe(true);
    expect(r.out.trim().split("\n")).toHaveLength(1);
    expect(JSON.parse(r.out)).toEqual({
      type: "result",
      command: "unknown",
      outcome: "usage",
      exitCode: 64,
      error: 'unknown command "deploy"',
      remedy: "commands: validate, plan, rehearse, release, rollback, promote, status, history, lock, sandbox (see `bluegreen --help`)",
    });
  });

  it("an unknown environment: exit 64 naming the file", async () => {
    const r = await runCli(["release", "nope", "--image", "v2", "--config-dir", "/nonexistent-bluegreen"]);
    expect(r).toEqual({
      code: 64,
      out: "",
      err: '✖ configuration error:\n  /nonexistent-bluegreen/environments/nope.yaml: no such environment file (environments/ has none)\n  next: create /nonexistent-bluegreen/environments/nope.yaml (README "Configuration"), or run where environments/ is, or pass --config-dir DIR for the folder that holds environments/\n',
    });
  });

  it("a missing .yaml path: exit 64, the file does not exist and how to create it or use --config-dir", async () => {
    const r = await runCli(["status", "/nonexistent-bluegreen/missing.yaml"]);
    expect(r).toEqual({
      code: 64,
      out: "",
      err:
        "✖ configuration error:\n  /nonexistent-bluegreen/missing.yaml: no such file (a path ending in .yaml is read as given, not looked up in environments/)\n" +
        '  next: check the path, or create the file (README "Configuration"; environments/*.yaml of the bluegreen repository are commented examples); to read DIR/environments/NAME.yaml give the NAME and --config-dir DIR\n',
    });
  });

  it("a failure prints its reason and remedy, never an internal class name (review s9 F16)", () => {
    const cases: [Error, number, string[]][] = [
      [new UsageError("release needs --image REF", "e.g. ..."), 64, ["✖ release needs --image REF", "  next: e.g. ..."]],
      [
        new PreflightError("cannot list the EC2 instances: denied", "check the credentials"),
        1,
        ["✖ cannot list the EC2 instances: denied", "  next: check the credentials"],
      ],
      [new LockHeldError("another run holds the production lock: ci@x", "wait"), 75, ["✖ another run holds the production lock: ci@x", "  next: wait"]],
      [new GateFailedError("gates failed: health timed out"), 1, ["✖ gates failed: health timed out"]],
      [new RolledBackError("bake failed: 500", "docker logs"), 2, ["✖ bake failed: 500", "  next: docker logs"]],
      [
        new RollbackFailedError("the rollback to blue failed too\nsecond line", "status"),
        3,
        ["✖ the rollback to blue failed too", "  second line", "  next: status"],
      ],
      [new DriftError("the listener and the webhook disagree", "rollback"), 3, ["✖ the listener and the webhook disagree", "  next: rollback"]],
      [
        new CancelledError("SIGINT", "rollback cancelled by SIGINT between two steps", "rollback again"),
        130,
        ["✖ rollback cancelled by SIGINT between two steps", "  next: rollback again"],
      ],
      [
        new ConfigError(["a.yaml:1:1: bad", "a.yaml:2:1: worse"]),
        64,
        ["✖ configuration error:", "  a.yaml:1:1: bad", "  a.yaml:2:1: worse", "  next: fix the configuration and run `bluegreen validate`"],
      ],
      [new Error("socket hang up"), 3, ["✖ socket hang up", "  the state may be inconsistent: run `bluegreen status production`"]],
    ];
    for (const [e, code, want] of cases) {
      const lines = errorLines(e, e.message, (e as { remedy?: string }).remedy, code, "production");
      expect(lines).toEqual(want);
      expect(lines.join("\n")).not.toMatch(/[A-Z][a-z]+Error\b/);
    }
  });
});
