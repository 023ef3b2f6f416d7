// How a restarted container's last run ended, from `docker events` lines: the engine resets
// State.OOMKilled and State.ExitCode on a restart, so an OOM kill is only known from its events.
import { describe, expect, it } from "vitest";
import { parseExitEvents, parseInspect } from "../../src/orchestrator/containers.js";

const ev = (action: string, sec: number, exitCode?: number) =>
  JSON.stringify({
    status: action,
    id: "c0ffee",
    Type: "container",
    Action: action,
    Actor: { ID: "c0ffee", Attributes: { name: "bot-green", ...(exitCode !== undefined ? { exitCode: String(exitCode) } : {}) } },
    time: sec,
    timeNano: sec * 1e9,
  });

describe("parseExitEvents", () => {
  it.each<[string, string[], ReturnType<typeof parseExitEvents>]>([
    ["no events", [], null],
    ["a crash", [ev("die", 10, 3)], { exitCode: 3, oomKilled: false }],
    ["an OOM kill: oom then die 137", [ev("oom", 10), ev("die", 10, 137)], { exitCode: 137, oomKilled: true }],
    ["the engine's order of oom and die within a second does not matter", [ev("die", 10, 137), ev("oom", 9)], { exitCode: 137, oomKilled: true }],
    ["an oom whose die is not in the window yet: 137", [ev("die", 5, 3), ev("oom", 10)], { exitCode: 137, oomKilled: true }],
    [
      "an OOM kill among crashes is reported (most specific)",
      [ev("die", 5, 3), ev("oom", 8), ev("die", 8, 137), ev("die", 12, 3)],
      { exitCode: 137, oomKilled: true },
    ],
    ["several crashes: the last exit code", [ev("die", 5, 1), ev("die", 8, 2)], { exitCode: 2, oomKilled: false }],
  ])("%s", (_n, lines, expected) => {
    expect(parseExitEvents(lines.join("\n"))).toEqual(expected);
  });

  it("ignores blank and unreadable lines and die events without an exit code", () => {
    expect(parseExitEvents(`\n{not json\n${JSON.stringify({ Action: "die", timeNano: 1 })}\n${ev("die", 2, 9)}\n`)).toEqual({ exitCode: 9, oomKilled: false });
  });
});

describe("parseInspect", () => {
  it("keeps the engine's container ID, which tells this container's events from an older one's of the same name", () => {
    const out = JSON.stringify([
      { Id: "c0ffee", Name: "/bot-green", RestartCount: 1, State: { Status: "running", Running: true }, Config: { Labels: { "bluegreen.colour": "green" } } },
    ]);
    expect(parseInspect(out)[0]).toMatchObject({ id: "c0ffee", name: "bot-green", restartCount: 1, running: true, exitCode: 0, oomKilled: false });
  });
});
