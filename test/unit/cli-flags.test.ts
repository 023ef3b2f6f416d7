// Each command takes only its own flags (src/cli/table.ts), in-process: a flag for another command is
// exit 64 naming the flag, the command and the fix, before anything is read (review s9 F8: it was
// silently ignored, and `rollback local --image v1` put another release live). Each command's
// --help lists exactly the flags it takes (F15), and every command the docs show still parses.
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "../../src/cli/args.js";
import { commandHelp, HELP } from "../../src/cli/help.js";
import { COMMAND_SPECS, COMMANDS, COMMON_FLAGS, type CommandName, FLAGS, type FlagName, flagsOf } from "../../src/cli/table.js";
import { UsageError } from "../../src/errors.js";
import { sandboxPaths } from "../../src/sandbox/paths.js";
import { runCli } from "../fakes/cli-run.js";

const NOWHERE = ["--config-dir", "/nonexistent-bluegreen"];
const ALL_FLAGS = Object.keys(FLAGS) as FlagName[];
const VALUE: Partial<Record<FlagName, string>> = { bake: "3s", "lock-wait": "1m", limit: "5", image: "v1", build: ".", file: "Dockerfile", updates: "." };
/** A command line that is valid apart from the flag under test. */
const BASE: Record<CommandName, string[]> = {
  validate: ["validate", "production"],
  plan: ["plan", "production", "--image", "v2"],
  rehearse: ["rehearse", "production", "--image", "v2"],
  release: ["release", "production", "--image", "v2"],
  rollback: ["rollback", "production"],
  promote: ["promote", "staging", "production"],
  status: ["status", "production"],
  history: ["history", "production"],
  lock: ["lock", "status", "production"],
  sandbox: ["sandbox", "status"],
};

const withFlag = (argv: string[], flag: FlagName): string[] => {
  const rest = argv.filter((a, i) => a !== `--${flag}` && argv[i - 1] !== `--${flag}`);
  return [...rest, `--${flag}`, ...(FLAGS[flag].type === "string" ? [VALUE[flag] ?? "x"] : [])];
};

function usageError(argv: string[]): UsageError {
  try {
    parse(argv);
  } catch (e) {
    if (e instanceof UsageError) return e;
    throw e;
  }
  throw new Error(`parse accepted ${argv.join(" ")}`);
}

describe("per-command flags", () => {
  it("the reported cases are refused with exit 64, naming the flag, the command and the fix; nothing is read", async () => {
    const rollback = await runCli(["rollback", "local", "--image", "v1", ...NOWHERE]);
    expect(rollback).toEqual({
      code: 64,
      out: "",
      err: expect.stringContaining("--image is not a flag of `bluegreen rollback`; nothing was touched"),
    });
    expect(rollback.err).toContain(
      "next: a rollback always puts the previous release back; to put a specific release live, `bluegreen release ENV --image <tag>`",
    );
    const status = await runCli(["status", "local", "--bake", "3s", ...NOWHERE]);
    expect(status.code).toBe(64);
    expect(status.err).toContain("--bake is not a flag of `bluegreen status`; nothing was touched");
    expect(status.err).toContain(
      "next: --bake is for `bluegreen plan`, `bluegreen release`, `bluegreen promote`; `bluegreen status` takes --watch and the common flags (see `bluegreen status --help`)",
    );
    const validate = await runCli(["validate", "local", "--image", "v1", "--json", ...NOWHERE]);
    expect(validate.code).toBe(64);
    expect(JSON.parse(validate.out)).toMatchObject({
      outcome: "usage",
      exitCode: 64,
      error: "--image is not a flag of `bluegreen validate`; nothing was touched",
    });
    const lock = usageError(["lock", "status", "production", "--yes"]);
    expect(lock.message).toBe("--yes is not a flag of `bluegreen lock status`; nothing was touched");
    expect(usageError(["sandbox", "down", "--legacy"]).message).toBe("--legacy is not a flag of `bluegreen sandbox down`; nothing was touched");
  });

  it("every command refuses every flag it does not take, and accepts every flag it takes", () => {
    let refused = 0;
    for (const command of COMMANDS) {
      const action = command === "lock" || command === "sandbox" ? BASE[command][1] : undefined;
      const own = new Set<FlagName>([...COMMON_FLAGS, ...flagsOf(command, action)]);
      for (const flag of ALL_FLAGS) {
        const argv = withFlag(BASE[command], flag);
        if (own.has(flag)) expect(() => parse(argv), argv.join(" ")).not.toThrow();
        else {
          expect(usageError(argv).message, argv.join(" ")).toMatch(new RegExp(`^--${flag}(: | is not a flag of )`));
          refused++;
        }
      }
    }
    expect(refused).toBeGreaterThanOrEqual(100);
  });

  it("sandbox up --legacy on a running plain sandbox is refused (it said 'already running', exit 0, and no legacy world existed)", async () => {
    const dir = await mkdtemp(join(tmpdir(), "bg-sandbox-legacy-"));
    try {
      const paths = sandboxPaths(dir);
      await mkdir(paths.root, { recursive: true });
      // A "running" sandbox: its pid is this (alive) process. Nothing may be started or stopped.
      const state = JSON.stringify({ pid: process.pid, aws: "a", telegram: "t", alb: "b", hosts: [], startedAt: "2026-01-01T00:00:00.000Z" });
      await writeFile(paths.stateFile, state);
      const r = await runCli(["sandbox", "up", "--legacy", "--config-dir", dir]);
      expect(r.code).toBe(64);
      expect(r.err).toContain(
        `the sandbox already runs (pid ${process.pid}) without --legacy: --legacy only applies when the sandbox starts; nothing was touched`,
      );
      expect(r.err).toContain("next: `bluegreen sandbox down`, then `bluegreen sandbox up --legacy`");
      expect(await readFile(paths.stateFile, "utf8")).toBe(state);
      // A legacy one already running is what was asked for.
      await writeFile(paths.stateFile, JSON.stringify({ ...JSON.parse(state), legacy: true }));
      expect((await runCli(["sandbox", "up", "--legacy", "--config-dir", dir])).code).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("--json: stdout is NDJSON only, the last line the result with outcome and exitCode", () => {
  it("sandbox down, and sandbox up while one runs, print a result line instead of their human text", async () => {
    const dir = await mkdtemp(join(tmpdir(), "bg-sandbox-json-"));
    try {
      const down = await runCli(["sandbox", "down", "--json", "--config-dir", dir]);
      expect(down.code).toBe(0);
      expect(down.out.trim().split("\n")).toHaveLength(1);
      expect(JSON.parse(down.out)).toEqual({
        type: "result",
        command: "sandbox",
        outcome: "down",
        exitCode: 0,
        wasRunning: false,
        leftoverProcessesStopped: 0,
      });
      const paths = sandboxPaths(dir);
      await mkdir(paths.root, { recursive: true });
      // "Running": its pid is this (alive) process, so `up` starts nothing.
      const state = { pid: process.pid, aws: "a", telegram: "t", alb: "b", hosts: [], startedAt: "2026-01-01T00:00:00.000Z" };
      await writeFile(paths.stateFile, JSON.stringify(state));
      const up = await runCli(["sandbox", "up", "--json", "--config-dir", dir]);
      expect(up.code).toBe(0);
      expect(up.out.trim().split("\n")).toHaveLength(1);
      expect(JSON.parse(up.out)).toEqual({ type: "result", command: "sandbox", outcome: "up", exitCode: 0, alreadyRunning: true, ...state });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("bluegreen COMMAND --help", () => {
  it("prints that command's usage and exactly its flags (from the same table), exit 0", async () => {
    for (const command of COMMANDS) {
      const r = await runCli([...BASE[command], "--help"]);
      expect(r).toEqual({ code: 0, out: commandHelp(command), err: "" });
      expect(r.out).toContain(`bluegreen ${COMMAND_SPECS[command].usage}`);
      const listed = new Set([...r.out.matchAll(/^ {2}(--[a-z-]+)/gm)].map((m) => m[1]));
      const spec: { flags: readonly FlagName[]; actions?: Record<string, readonly FlagName[]> } = COMMAND_SPECS[command];
      const takes = [...COMMON_FLAGS, ...(spec.actions !== undefined ? Object.values(spec.actions).flat() : spec.flags)];
      expect([...listed].sort()).toEqual([...new Set(takes.map((f) => `--${f}`))].sort());
    }
    expect(commandHelp("rollback")).not.toContain("--image");
    expect(commandHelp("lock")).toContain("lock release: remove a lock that is not yours");
    expect(commandHelp("lock")).toContain("lock status accepts it with no effect");
    expect(HELP).toContain("`bluegreen COMMAND --help` lists the flags each command takes");
    // status exits 75 while a release or rollback is in progress (af2f00b), as README's table says (review2-s9 L4).
    expect(commandHelp("status")).toContain("75 another run holds the lock: nothing was touched (status: a release or rollback is in progress)");
  });
});

/** `bluegreen <command> ...` in the docs: code lines (comment cut) and backticked spans. */
function examples(text: string): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(/`(?:npx )?bluegreen ([a-z][^`]*)`/g)) found.push(m[1] ?? "");
  for (const line of text.split("\n")) {
    const m = /^\s*(?:npx )?bluegreen ([a-z].*)$/.exec(line) ?? /^\s+npx bluegreen ([a-z].*)$/.exec(line);
    if (m !== null) found.push((m[1] ?? "").replace(/\s+#.*$/, "").replace(/\s*\|.*$/, ""));
  }
  return found;
}

describe("the docs' command lines", () => {
  it("every usage line (CLI.md's synopsis, e.g. `lock status|release ENV [--force]`) parses for each of its actions", () => {
    const fill: Record<string, string> = { ENV: "production", REF: "v2", FROM: "staging", TO: "production", DIR: ".", F: "Dockerfile", N: "5" };
    for (const command of COMMANDS) {
      const [, actions = "", ...rest] = COMMAND_SPECS[command].usage.split(" ");
      const hasActions = command === "lock" || command === "sandbox";
      const words = (hasActions ? rest : [actions, ...rest]).map((w) => w.replace(/[[\]]/g, "")).filter((w) => w !== "..." && w !== "");
      for (const action of hasActions ? actions.split("|") : [undefined]) {
        const argv = [command, ...(action !== undefined ? [action] : []), ...words.map((w) => fill[w] ?? w)];
        expect(() => parse(argv), argv.join(" ")).not.toThrow();
      }
    }
    expect(parse(["lock", "status", "production", "--force"]).flags.force).toBe(true);
  });

  it("use only flags their command takes (README, docs/, the GitHub Actions example, every next: remedy in src)", async () => {
    const files = ["README.md", "examples/github-actions/release.yml", ...(await readdir("docs")).map((f) => join("docs", f))];
    const srcFiles = (await readdir("src", { recursive: true })).filter((f) => f.endsWith(".ts")).map((f) => join("src", f));
    const lines = (await Promise.all([...files, ...srcFiles].map(async (f) => examples(await readFile(f, "utf8")).map((l) => ({ f, l }))))).flat();
    expect(lines.length).toBeGreaterThanOrEqual(60);
    const wrong: string[] = [];
    for (const { f, l } of lines) {
      const words = l.split(/\s+/).map((w) => w.replace(/[[\]"'()]/g, ""));
      const command = words[0] as CommandName;
      if (!COMMANDS.includes(command)) continue;
      const action = words[1] !== undefined && !words[1].startsWith("-") ? words[1] : undefined;
      const takes = new Set<string>([...COMMON_FLAGS, ...flagsOf(command, action)]);
      for (const w of words) {
        const flag = /^--([a-z-]+)$/.exec(w)?.[1];
        if (flag !== undefined && !takes.has(flag)) wrong.push(`${f}: bluegreen ${l}: --${flag}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});
