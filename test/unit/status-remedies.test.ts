// review-s9 F5, F10, F11: status says what is true and a remedy that does what it says.
// - F11: a live colour that is down was told "`rollback` puts the recorded live release back", but
//   rollback returns to the previous release; now the remedy names it (and its colour, warm or
//   cold), or bringing the live release back.
// - F10: a live colour Telegram fails to deliver to (recent errors, more updates pending than
//   gates.maxPendingUpdates: the bake's own rule) was "✔ consistent", exit 0; now exit 3 with a remedy.
// - F5: a release running under its own live lease was exit 3 with a remedy pointing at status
//   itself and at a release (which would exit 75); now "in progress" (who, pid, since, phase), exit
//   75, wait or --lock-wait. A dead holder (lease expired, process gone) or no lock: interrupted,
//   and the next release or rollback undoes it.
import { spawnSync } from "node:child_process";
import { hostname } from "node:os";
import { describe, expect, it } from "vitest";
import { exitOf, renderStatus } from "../../src/cli/commands/status.js";
import { rollback } from "../../src/orchestrator/rollback.js";
import { status } from "../../src/orchestrator/status.js";
import { lockCommands, lockPath } from "../../src/remote/lock.js";
import { inFlightWorld } from "../fakes/adoption-world.js";
import { releasedTwice } from "../fakes/rollback-setup.js";

describe("F11: the live colour is down", () => {
  it("the remedy names the previous release `rollback` returns to (and it does), not 'the recorded live release'", async () => {
    const { env } = await releasedTwice();
    for (const h of env.hosts) {
      const c = h.containers.get("telegram-bot-green");
      if (c !== undefined) c.running = false;
    }
    const s = await status(env.ctx);
    expect(s).toMatchObject({ consistent: false, liveUnhealthy: "down", runInProgress: false });
    expect(exitOf(s)).toBe(3);
    const text = renderStatus(s).join("\n");
    expect(text).toContain(
      "  next: `bluegreen rollback production` returns to the previous release r1 on blue (warm: instant); or start the live green containers again (`docker start telegram-bot-green` on the hosts where they stopped), or release a known-good image: `bluegreen release production --image <tag> --allow-unhealthy-live`",
    );
    expect(text).not.toContain("recorded live release");
    const r = await rollback(env.ctx, { lockWaitMs: 0, runId: "rb" });
    expect(r).toMatchObject({ releaseId: "r1", colour: "blue", mode: "warm" });
  });
});

describe("F10: Telegram fails to deliver to the live colour", () => {
  // The fake's containers all report StartedAt 2026-01-01T00:00:00Z, the clock's start: the live
  // release has served for `liveForSec` when the error is read (an error before it is not theirs).
  const failing = async (ageSec: number, pending: number, liveForSec = 120) => {
    const { env } = await releasedTwice();
    env.clock.t = Math.max(env.clock.t, Date.parse("2026-01-01T00:00:00Z") + liveForSec * 1000);
    env.telegram.info = {
      ...env.telegram.info,
      pendingUpdateCount: pending,
      lastErrorDate: Math.floor(env.clock.now() / 1000) - ageSec,
      lastErrorMessage: "Wrong response from the webhook: 500 Internal Server Error",
    };
    return { env, s: await status(env.ctx) };
  };

  it("a recent delivery error and a backlog above gates.maxPendingUpdates: exit 3, the bake's rule named, with a remedy", async () => {
    const { env, s } = await failing(30, 118);
    const max = env.settings.gates.maxPendingUpdates;
    expect(118).toBeGreaterThan(max);
    expect(s).toMatchObject({ consistent: false, liveUnhealthy: "deliveries" });
    expect(exitOf(s)).toBe(3);
    const at = new Date((Math.floor(env.clock.now() / 1000) - 30) * 1000).toISOString();
    expect(s.problems).toEqual([
      `live colour green: Telegram fails to deliver updates to it: last error ${at} Wrong response from the webhook: 500 Internal Server Error, 118 updates pending (gates.maxPendingUpdates ${max}); a bake would roll this back`,
    ]);
    expect(renderStatus(s).join("\n")).toContain(
      "  next: `bluegreen rollback production` returns to the previous release r1 on blue (warm: instant); or read `docker logs telegram-bot-green` on the hosts and release a fixed image: `bluegreen release production --image <tag>`",
    );
  });

  it("an old error, or a backlog within the limit, is not flagged", async () => {
    expect((await failing(3600, 118)).s.consistent).toBe(true);
    expect((await failing(30, 3)).s.consistent).toBe(true);
  });

  it("an error from before the live containers started (a failed earlier release on the same URL) is not flagged (review2-s9 M2)", async () => {
    // Live for 20 s, the error 30 s old: it was the earlier release's, as the bake would also judge.
    const { s } = await failing(30, 118, 20);
    expect(s).toMatchObject({ consistent: true, liveUnhealthy: null });
  });
});

describe("F5: a release in flight, alive or not", () => {
  /** A release r0 recorded in flight (cutover on green, switches still on blue), and the lock's lease as given. */
  const inFlightWith = async (lease: Record<string, unknown> | null) => {
    const w = inFlightWorld({ colour: "green", phase: "cutover" }, "blue");
    const read = lockCommands.read(lockPath(w.ctx.settings.lock.dir, w.ctx.settings.environment)).join("\u0000");
    for (const h of w.ctx.hosts) {
      const exec = h.remote.exec.bind(h.remote);
      h.remote.exec = async (argv, o) =>
        argv.join("\u0000") === read ? { code: 0, stdout: lease === null ? "" : JSON.stringify(lease), stderr: "" } : exec(argv, o);
    }
    const now = w.ctx.clock.now();
    return { s: await status(w.ctx), now };
  };
  const lease = (o: { pid?: number; expiresInMs: number; releaseId?: string }) => ({
    owner: "ci",
    machine: hostname(),
    pid: o.pid ?? process.pid,
    releaseId: o.releaseId ?? "r0",
    command: "release",
    acquiredAt: "2026-01-01T00:00:00.000Z",
    expiresAt: new Date(Date.parse("2026-01-01T00:00:00.000Z") + o.expiresInMs).toISOString(),
  });

  it("held by its own live run: in progress (who, pid, since, phase), exit 75, wait or --lock-wait; never 'run status' or a plain release", async () => {
    const { s } = await inFlightWith(lease({ expiresInMs: 3_600_000 }));
    expect(s.runInProgress).toBe(true);
    expect(exitOf(s)).toBe(75);
    const text = renderStatus(s).join("\n");
    expect(text).toContain(
      `    - a release (r0) is in progress, in phase cutover: run by ci@${hostname()} (pid ${process.pid}, release r0, since 2026-01-01T00:00:00.000Z, lease until 2026-01-01T01:00:00.000Z)`,
    );
    expect(text).toContain(
      "  next: wait for the release to end (`bluegreen status production --watch` on a terminal follows it); a release started now with `--lock-wait <duration>` (e.g. 30m) waits for the lock, without it exits 75",
    );
  });

  const UNDO =
    "  next: the release was interrupted: the next `bluegreen release production --image <tag>` undoes it before its own, or `bluegreen rollback production` undoes it alone (either takes over a stale lock)";

  it("its lease expired: interrupted, exit 3, the next release or rollback undoes it", async () => {
    const { s, now } = await inFlightWith(lease({ expiresInMs: -60_000 }));
    expect(now).toBeGreaterThanOrEqual(Date.parse("2026-01-01T00:00:00.000Z"));
    expect(s.runInProgress).toBe(false);
    expect(exitOf(s)).toBe(3);
    const text = renderStatus(s).join("\n");
    expect(text).toContain("    - a release (r0) was interrupted in phase cutover: its run is gone (its lease expired at 2025-12-31T23:59:00.000Z)");
    expect(text).toContain(UNDO);
    expect(text).not.toContain("bluegreen status production`");
  });

  it("its process is gone on this machine: interrupted, exit 3, the same remedy", async () => {
    const gone = spawnSync("true").pid;
    const { s } = await inFlightWith(lease({ pid: gone, expiresInMs: 3_600_000 }));
    expect(exitOf(s)).toBe(3);
    const text = renderStatus(s).join("\n");
    expect(text).toContain(`    - a release (r0) was interrupted in phase cutover: its run is gone (its process (pid ${gone} on ${hostname()}) is gone)`);
    expect(text).toContain(UNDO);
  });

  it("no lock at all: interrupted, exit 3, the same remedy", async () => {
    const { s } = await inFlightWith(null);
    expect(exitOf(s)).toBe(3);
    const text = renderStatus(s).join("\n");
    expect(text).toContain("    - a release (r0) was interrupted in phase cutover: no run holds the lock");
    expect(text).toContain(UNDO);
  });
});
