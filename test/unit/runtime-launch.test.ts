// launchSupervisor when the spawn itself throws (E2BIG: an argument longer than the kernel takes,
// here the container's name): the same 125 "did not start" error as a spawn that fails with an
// 'error' event (1e03804), not exit 1 with a stack, and the supervisor's log descriptor is closed.
import { mkdtempSync, readdirSync, readlinkSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DockerCliError } from "../../src/sandbox/runtime/cli-error.js";
import { contextFromEnv } from "../../src/sandbox/runtime/context.js";
import { launchSupervisor } from "../../src/sandbox/runtime/launch.js";
import { supervisorLogFile } from "../../src/sandbox/runtime/paths.js";
import { containerRecord } from "../fakes/container-record.js";
import { requireCompiledRuntime } from "../helpers/runtime-world.js";

const root = mkdtempSync(join(tmpdir(), "bluegreen-launch-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The descriptors this process has open on `file`. */
const openOn = (file: string) =>
  readdirSync("/proc/self/fd").filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`) === file;
    } catch {
      return false; // the directory's own descriptor, gone once read
    }
  });

describe("launchSupervisor", () => {
  it("a spawn that throws (E2BIG) is exit 125 naming the container and the reason; the log descriptor is closed", async () => {
    requireCompiledRuntime();
    const ctx = contextFromEnv(
      { BLUEGREEN_SANDBOX_STATE: root, BLUEGREEN_SANDBOX_HOST: "127.0.0.1", PATH: process.env.PATH },
      { out: () => {}, err: () => {} },
    );
    const name = `n${"x".repeat(200_000)}`;
    const record = containerRecord(name, "c".repeat(64));
    const log = supervisorLogFile(ctx.paths, record.id);
    const e = await launchSupervisor(ctx, record).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(DockerCliError);
    expect(e).toMatchObject({
      exitCode: 125,
      message: `Error response from daemon: sandbox runtime: the supervisor of ${name} did not start: spawn E2BIG (see ${log})`,
    });
    expect(openOn(log)).toEqual([]);
  });
});
