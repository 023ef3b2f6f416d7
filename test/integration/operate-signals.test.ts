// Real SIGINT/SIGTERM sent to the CLI process (as Ctrl-C or a cancelled CI job would): the step under
// way finishes, then before traffic moved the new colour is stopped and the in-flight mark cleared
// (exit 130/143, a result line in --json), after it the release is rolled back (exit 2, reason
// "cancelled"); the lock is released, the notification sent, a hook's process group ended. A second
// signal exits at once and the next release repairs what it left. One shared world, one host.
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { appendFile, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { expectExit, killChildren, listenerForward, stopWorld, tolerantHealthChecks, webhookInfo, webhookUrlOf } from "../helpers/assertions.js";
import { BOT_TOKEN, CLI, type CliResult, startTestWorld, type TestWorld } from "../helpers/sandbox-env.js";

let t: TestWorld;
let base = "";
const children = new Set<number>();
beforeAll(async () => {
  t = await startTestWorld({ hosts: 1, firstHost: 250 });
  await tolerantHealthChecks(t);
  base = `${await readFile(t.envFile, "utf8")}notify:\n  telegram: { chatId: 4343 }\n`;
  await writeFile(t.envFile, base);
}, 60_000);
afterEach(() => killChildren(children));
afterAll(async () => {
  await stopWorld(t);
});

type Event = { type?: string; step?: string; status?: string; message?: string };

/**
 * Runs the CLI with --json and sends `signals[0]` when `at` matches an event, each further signal once
 * the CLI has acknowledged the previous one (its "cancel" event: two signals sent back to back could
 * merge into one). Resolves with the result and how long the CLI took after the first signal.
 */
function signalled(args: string[], at: (e: Event) => boolean, signals: NodeJS.Signals[], deadlineMs = 90_000): Promise<CliResult & { afterSignalMs: number }> {
  const child = spawn(process.execPath, [CLI, ...args, "--json", "--config-dir", t.dir], { env: t.env, stdio: ["ignore", "pipe", "pipe"] });
  if (child.pid !== undefined) children.add(child.pid);
  return new Promise((resolve, reject) => {
    let stdout = "";
    let stderr = "";
    let buf = "";
    let sent = 0;
    let firstAt = 0;
    const send = (): void => {
      const s = signals[sent];
      if (s === undefined) return;
      sent += 1;
      if (firstAt === 0) firstAt = Date.now();
      child.kill(s);
    };
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`no exit within ${deadlineMs}ms; stdout:\n${stdout}\nstderr:\n${stderr}`));
    }, deadlineMs);
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
      buf += d.toString();
      const lines = buf.split("\n");
      buf = lines.pop() ?? "";
      for (const l of lines) {
        if (!l.startsWith("{")) continue;
        const e = JSON.parse(l) as Event;
        if (e.type !== "step" && e.type !== "note") continue; // the cancel notice is a note
        if (sent === 0 && at(e)) send();
        else if (sent > 0 && e.step === "cancel") send();
      }
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      if (child.pid !== undefined) children.delete(child.pid);
      if (sent === 0) {
        reject(new Error(`the CLI ended (code ${code}) before the signal was sent; stdout:\n${stdout}\nstderr:\n${stderr}`));
        return;
      }
      const events = stdout
        .split("\n")
        .filter((l) => l.startsWith("{"))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      resolve({ code: code ?? -1, stdout, stderr, events, result: events.filter((e) => e.type === "result").at(-1), afterSignalMs: Date.now() - firstAt });
    });
  });
}

/** Processes of a process group that still run (a zombie awaiting its reaper is not running). */
function liveMembers(group: number): number[] {
  return readdirSync("/proc")
    .filter((d) => /^\d+$/.test(d))
    .flatMap((pid) => {
      try {
        // pid (comm) state ppid pgrp ...: comm may hold spaces, so read after its closing parenthesis.
        const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
        const [state, , pgrp] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        return Number(pgrp) === group && state !== "Z" ? [Number(pid)] : [];
      } catch {
        return [];
      }
    });
}

const started = (step: string) => (e: Event) => e.step === step && e.status === "start";

async function expectConsistentOn(colour: "blue" | "green"): Promise<void> {
  const st = await t.cli(["status", "itest", "--json"]);
  expect(st.code, st.stdout + st.stderr).toBe(0);
  expect(st.events[0]).toMatchObject({ consistent: true, releaseInProgress: null, lock: null, live: colour });
  expect(listenerForward(t)).toBe(colour);
  expect((await webhookInfo(t)).url).toBe(webhookUrlOf(t, colour));
}

const notified = async (): Promise<string[]> =>
  ((await (await fetch(`${t.world.telegram.url}/_control/messages?token=${encodeURIComponent(BOT_TOKEN)}`)).json()) as { chat_id: number; text: string }[])
    .filter((m) => String(m.chat_id) === "4343")
    .map((m) => m.text);

describe("signals sent to a running release", () => {
  it("first release v1", async () => {
    expectExit(await t.cli(["release", "itest", "--image", "v1", "--json"]), 0);
    await expectConsistentOn("blue");
  }, 120_000);

  it("SIGTERM while the gates wait: the new colour is stopped, exit 143 with a result line, lock free, notified", async () => {
    const r = await signalled(["release", "itest", "--image", "v2"], started("gates"), ["SIGTERM"]);
    expectExit(r, 143);
    expect(r.result).toMatchObject({ command: "release", outcome: "cancelled", cancelledBy: "SIGTERM", colour: "green" });
    expect(r.result?.steps).not.toContain("cutover");
    await expectConsistentOn("blue");
    const green = await fetch(`http://${t.world.hostIps[0]}:5002/health`).then(
      () => "answers",
      () => "down",
    );
    expect(green).toBe("down");
    expect((await notified()).at(-1)).toContain("cancelled");
    const history = await t.cli(["history", "itest", "--json"]);
    expect((history.result?.records as { outcome: string }[])[0]?.outcome).toBe("cancelled");
  }, 120_000);

  it("SIGINT during the bake: rolled back at once, exit 2 with reason cancelled", async () => {
    const r = await signalled(["release", "itest", "--image", "v2", "--bake", "10m"], started("bake"), ["SIGINT"]);
    expectExit(r, 2);
    expect(r.result).toMatchObject({ outcome: "rolled-back", reason: "cancelled", cancelledBy: "SIGINT" });
    expect(r.afterSignalMs).toBeLessThan(60_000);
    await expectConsistentOn("blue");
    expect((await notified()).at(-1)).toContain("rolled back");
  }, 120_000);

  it("SIGINT while a preRelease hook runs: the hook's whole process group ends, exit 130", async () => {
    const pidFile = join(t.dir, "hook.pid");
    await appendFile(t.envFile, `hooks:\n  preRelease: [sh, -c, "echo $$ > ${pidFile}; sleep 120 & echo ready; wait"]\n`);
    try {
      const r = await signalled(["release", "itest", "--image", "v2"], (e) => e.step === "hook-output" && (e.message ?? "").endsWith("ready"), ["SIGINT"]);
      expectExit(r, 130);
      expect(r.result).toMatchObject({ outcome: "cancelled", cancelledBy: "SIGINT" });
      expect(r.afterSignalMs).toBeLessThan(30_000);
      const group = Number((await readFile(pidFile, "utf8")).trim());
      expect(liveMembers(group)).toEqual([]);
      await expectConsistentOn("blue");
    } finally {
      await writeFile(t.envFile, base);
    }
  }, 120_000);

  it("a second SIGTERM exits at once; the next release repairs what it left and goes live", async () => {
    const r = await signalled(["release", "itest", "--image", "v2"], started("stage"), ["SIGTERM", "SIGTERM"]);
    expect(r.code).toBe(143);
    expect(r.stderr).toContain("SIGTERM again: exiting at once");
    const next = await t.cli(["release", "itest", "--image", "v3", "--json"]);
    expectExit(next, 0);
    await expectConsistentOn(next.result?.colour === "green" ? "green" : "blue");
  }, 180_000);
});
