// --lock-wait used to print nothing while it waited: now one step line says whose lock it waits for
// (holder, pid, run, since), and its end says when the lock became ours. Without --lock-wait the
// held lock is exit 75 at once, with no step line.
import { describe, expect, it } from "vitest";
import { LockHeldError } from "../../src/errors.js";
import { acquireLock } from "../../src/orchestrator/lock.js";
import type { ExecResult } from "../../src/ports.js";
import { fakeEnvironment } from "../fakes/release-world.js";

const FOREIGN = {
  owner: "ci",
  machine: "build-agent-7",
  pid: 424242,
  releaseId: "r20260101T000000Z-beef",
  command: "release",
  acquiredAt: "2026-01-01T00:00:00.000Z",
  expiresAt: "2099-01-01T00:00:00.000Z",
};
const HOLDER = "ci@build-agent-7 (pid 424242, release r20260101T000000Z-beef, since 2026-01-01T00:00:00.000Z, lease until 2099-01-01T00:00:00.000Z)";

/** The lock host answers "held by FOREIGN" to the first `busy` acquires, then lets the lock be taken. */
function heldFor(busy: number) {
  const world = fakeEnvironment();
  const first = world.ctx.hosts[0];
  if (first === undefined) throw new Error("no host");
  const real = first.remote;
  let refused = 0;
  first.remote = {
    ...real,
    exec: async (argv: readonly string[], opts?: { stdin?: string }): Promise<ExecResult> => {
      const script = argv[2] ?? "";
      if (script.includes('if mkdir "$1"') && refused < busy) {
        refused += 1;
        return { code: 1, stdout: "", stderr: "exists\n" };
      }
      if (script.includes('"$1/lease.json" ]; then cat')) return { code: 0, stdout: JSON.stringify(FOREIGN), stderr: "" };
      return real.exec(argv, opts);
    },
  };
  return world;
}

describe("acquireLock with --lock-wait", () => {
  it("prints whose lock it waits for, once, then that it got it (start/ok of the lock step)", async () => {
    const { ctx, events } = heldFor(2);
    const lock = await acquireLock(ctx, "release", "r20260101T000100Z-aaaa", 5_000);
    expect(lock.lease.releaseId).toBe("r20260101T000100Z-aaaa");
    expect(events.map((e) => ({ step: e.step, status: e.status }))).toEqual([
      { step: "lock", status: "start" },
      { step: "lock", status: "ok" },
    ]);
    expect(events[0]?.message).toBe(`waiting up to 5.0s for the lock held by ${HOLDER}`);
    expect(events[1]?.message).toMatch(/^got the lock after waiting \d+\.\ds for release r20260101T000000Z-beef$/);
    await lock.release();
  });

  it("without --lock-wait: exit 75's error at once, and no step line", async () => {
    const { ctx, events } = heldFor(1);
    await expect(acquireLock(ctx, "release", "r20260101T000100Z-aaaa", 0)).rejects.toThrow(LockHeldError);
    expect(events).toEqual([]);
  });
});
