// A rollback that restarts its colour's stopped containers gates them like a release gates the
// containers it staged: the first /health check waits for a restarted bot that binds its port a
// moment after `docker start`, instead of failing that attempt (one more round and an inspect of
// the host, #17). On the fakes: blue r1 then green r2 released; blue on i-2 stops as the listener
// moves back to it, so the rollback restarts it.
import { describe, expect, it } from "vitest";
import { rollback } from "../../src/orchestrator/rollback.js";
import { releasedTwice, stopsAsTheListenerMoves } from "../fakes/rollback-setup.js";

const BLUE = "telegram-bot-blue";

async function restartWorld(listensAfterMs: number) {
  const { env, host } = await releasedTwice();
  // A round of the gates a second apart: a failed first attempt costs a whole interval.
  env.settings.gates = { ...env.settings.gates, intervalMs: 1000, timeoutMs: 10_000 };
  stopsAsTheListenerMoves(env, host, "blue");
  const exec = host.exec.bind(host);
  host.exec = async (argv, o) => {
    const answer = await exec(argv, o);
    const c = host.containers.get(BLUE);
    if (argv[0] === "docker" && argv[1] === "start" && argv.includes(BLUE) && c !== undefined) c.listensAt = Date.now() + listensAfterMs;
    return answer;
  };
  return { env, host };
}

/** The gate attempts after the restart that did not pass, as the operator sees them. */
function failedAttemptsAfterStart(events: { step: string; status: string; message?: string }[]): string[] {
  const start = events.findIndex((e) => e.step === "start" && e.status === "ok");
  expect(start).toBeGreaterThan(-1);
  return events
    .slice(start)
    .filter((e) => e.step === "gates" && e.status === "info" && !/^healthy \d+\/\d+$/.test(e.message ?? ""))
    .map((e) => e.message ?? "");
}

describe("a rollback's restarted containers at their first gate check", () => {
  it("a bot listening 300 ms after its docker start passes its first check then: no failed attempt, and only the threshold's inspect on its host", async () => {
    const { env, host } = await restartWorld(300);
    const from = env.events.length;
    const inspectsBefore = host.log.filter((a) => a[0] === "docker" && a[1] === "inspect").length;
    const r = await rollback(env.ctx, { lockWaitMs: 0, runId: "rb" });
    expect(r).toMatchObject({ colour: "blue", releaseId: "r1" });
    expect(host.containers.get(BLUE)?.running).toBe(true);
    expect(failedAttemptsAfterStart(env.events.slice(from))).toEqual([]);
    // The rollback's own inspects of that host (its observe, the threshold's, the read-backs): 4; the
    // old code made 5, the fifth for the failed first attempt.
    const inspects = host.log.filter((a) => a[0] === "docker" && a[1] === "inspect").length - inspectsBefore;
    expect(inspects).toBe(4);
  });

  it("a restarted bot still refusing when the first attempt's wait is over fails attempts (a refusal, not a pass), then passes once it listens", async () => {
    const { env } = await restartWorld(2_500);
    const from = env.events.length;
    const r = await rollback(env.ctx, { lockWaitMs: 0, runId: "rb" });
    expect(r).toMatchObject({ colour: "blue", releaseId: "r1" });
    const failed = failedAttemptsAfterStart(env.events.slice(from));
    expect(failed.length).toBeGreaterThanOrEqual(1);
    for (const message of failed) expect(message).toMatch(/ECONNREFUSED/);
  });
});
