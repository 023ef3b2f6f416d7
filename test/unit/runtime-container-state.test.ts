// Container state transitions the CLI applies itself: a supervisor that died is an exited container.
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { matchesFilters, parseFilters } from "../../src/sandbox/runtime/commands/ps.js";
import {
  type ContainerRecord,
  createContainer,
  createdState,
  exitedState,
  findContainer,
  listContainers,
  readContainer,
  reconcile,
} from "../../src/sandbox/runtime/container-record.js";
import { type HostPaths, hostPaths } from "../../src/sandbox/runtime/paths.js";
import { isAlive, processHandle, waitFor } from "../../src/sandbox/runtime/proc.js";
import { containerRecord } from "../fakes/container-record.js";

let root: string;
let paths: HostPaths;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "bluegreen-state-"));
  paths = hostPaths(root, "127.0.1.8");
  await mkdir(paths.containers, { recursive: true });
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Created, no supervisor; the labels of a blue echo container. */
const record = (name: string, id: string, overrides: Partial<ContainerRecord> = {}): ContainerRecord =>
  containerRecord(name, id, { labels: { "bluegreen.colour": "blue", app: "echo" }, ...overrides });

/** A process that has already ended: its handle can never be alive again. */
async function deadHandle() {
  const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
  const handle = processHandle(child.pid as number);
  await new Promise((done) => child.on("exit", done));
  return handle ?? { pid: child.pid as number, startTime: "0" };
}

describe("container records", () => {
  it("creates a name once only", async () => {
    expect(await createContainer(paths, record("bot", "a".repeat(64)))).toBe(true);
    expect(await createContainer(paths, record("bot", "b".repeat(64)))).toBe(false);
    expect((await readContainer(paths, "bot"))?.id).toBe("a".repeat(64));
  });

  it("running with a dead supervisor -> exited 137; restarting keeps its last exit code", async () => {
    const dead = await deadHandle();
    expect(isAlive(dead)).toBe(false);
    const running = record("run", "c".repeat(64), {
      supervisor: dead,
      bot: dead,
      state: { ...createdState(), Status: "running", Running: true, Pid: dead.pid },
    });
    await createContainer(paths, running);
    const after = await reconcile(paths, running);
    expect(after.state).toMatchObject({ Status: "exited", Running: false, Restarting: false, Pid: 0, ExitCode: 137 });
    expect(after.supervisor).toBeNull();
    expect((await readContainer(paths, "run"))?.state.Status).toBe("exited");

    const restarting = record("loop", "d".repeat(64), {
      supervisor: dead,
      state: { ...exitedState(createdState(), 3, new Date().toISOString()), Status: "restarting", Running: true, Restarting: true },
    });
    await createContainer(paths, restarting);
    expect((await reconcile(paths, restarting)).state).toMatchObject({ Status: "exited", ExitCode: 3, Restarting: false });
  });

  it("leaves a container with a live supervisor alone", async () => {
    const self = processHandle(process.pid);
    const live = record("live", "e".repeat(64), { supervisor: self, state: { ...createdState(), Status: "running", Running: true } });
    await createContainer(paths, live);
    expect((await reconcile(paths, live)).state.Status).toBe("running");
  });

  it("finds by name, full id, unique id prefix; refuses an ambiguous prefix", async () => {
    await createContainer(paths, record("one", `ab1${"0".repeat(61)}`));
    await createContainer(paths, record("two", `ab2${"0".repeat(61)}`));
    expect((await findContainer(paths, "one"))?.name).toBe("one");
    expect((await findContainer(paths, "/two"))?.name).toBe("two");
    expect((await findContainer(paths, `ab1${"0".repeat(61)}`))?.name).toBe("one");
    expect((await findContainer(paths, "ab2"))?.name).toBe("two");
    expect(await findContainer(paths, "../etc")).toBeNull();
    await expect(findContainer(paths, "ab")).rejects.toThrow("Error response from daemon: multiple IDs found with provided prefix: ab");
    expect((await listContainers(paths)).map((r) => r.name).sort()).toEqual(["one", "two"]);
  });

  it("waitFor honours its deadline", async () => {
    const started = Date.now();
    expect(await waitFor(() => false, 100, 10)).toBe(false);
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
  });
});

describe("ps filters", () => {
  const r = record("bot-blue", "f".repeat(64), { state: { ...createdState(), Status: "running" } });

  it("ANDs label filters and ORs name/status/id filters, like docker", () => {
    expect(matchesFilters(r, parseFilters(["label=bluegreen.colour=blue", "label=app"]))).toBe(true);
    expect(matchesFilters(r, parseFilters(["label=bluegreen.colour=blue", "label=app=other"]))).toBe(false);
    expect(matchesFilters(r, parseFilters(["status=exited", "status=running"]))).toBe(true);
    expect(matchesFilters(r, parseFilters(["name=green", "name=blue"]))).toBe(true);
    expect(matchesFilters(r, parseFilters(["id=fff", "status=exited"]))).toBe(false);
  });

  it("rejects malformed and unknown filters with the daemon's texts", () => {
    expect(() => parseFilters(["label"])).toThrow("Error response from daemon: bad format of filter (expected name=value)");
    expect(() => parseFilters(["colour=blue"])).toThrow("Error response from daemon: invalid filter 'colour'");
  });
});
