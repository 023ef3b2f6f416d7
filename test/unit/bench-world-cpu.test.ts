// The bench's per-process CPU accounting (bench/world-cpu.ts): /proc/<pid>/stat read past a command
// name with spaces and parentheses, and which processes are one world's containers (a supervisor
// names the world's state root; a bot is a supervisor's child), so other work on a shared machine
// is not counted as the sandbox's.
import { describe, expect, it } from "vitest";
import { classify, parseStat, runQueueWaitMs } from "../../bench/world-cpu.js";

const ROOT = "/tmp/bluegreen-bench-x/sandbox/runtime";

describe("bench world CPU", () => {
  it("reads ppid, start time and utime + stime (ticks of 10 ms) after the last ')'", () => {
    const stat = "4242 (node (x) y) S 17 4242 4242 0 -1 4194560 100 0 0 0 37 5 0 0 20 0 11 0 987654 1000 200";
    expect(parseStat(stat)).toEqual({ ppid: 17, startTime: "987654", cpuMs: 420 });
    expect(parseStat("1 (short) S 0")).toBeNull();
  });

  it("counts this world's supervisors and their bots, nothing else", () => {
    const supervisors = new Set([100]);
    const supervisor = `node /repo/dist/src/sandbox/runtime/supervisor.js ${ROOT} 127.0.1.230 echo-bot-blue abc`;
    expect(classify({ cmdline: supervisor, ppid: 1 }, ROOT, supervisors)).toBe("supervisor");
    // Another world's supervisor (another state root, e.g. another session's bench).
    expect(classify({ cmdline: supervisor.replace(ROOT, "/tmp/other/runtime"), ppid: 1 }, ROOT, supervisors)).toBeNull();
    expect(classify({ cmdline: "node /repo/dist/examples/echo-bot/main.js", ppid: 100 }, ROOT, supervisors)).toBe("bot");
    // A bot whose parent is not known yet is looked at again; any other process is not ours.
    expect(classify({ cmdline: "node /repo/dist/examples/echo-bot/main.js", ppid: 7 }, ROOT, supervisors)).toBeUndefined();
    expect(classify({ cmdline: "node /repo/node_modules/vitest/vitest.mjs run", ppid: 7 }, ROOT, supervisors)).toBeNull();
  });

  it("reads how long a live process's main thread waited for a core, and null once it is gone", () => {
    expect(runQueueWaitMs(process.pid)).toBeGreaterThanOrEqual(0);
    expect(runQueueWaitMs(2 ** 22 + 1)).toBeNull(); // above any pid_max
  });
});
