// docker's `rm --force` and `stop` return once the container's published ports are released, so a
// `docker run` right after them can take the same port. In the sandbox the port is the bot's own
// socket, freed only once that process has finished exiting; with the stand-in in the CLI's
// process a run follows an rm within milliseconds (a CI run saw "bind: address already in use").
// Here the port's holder is a process that outlives the recorded supervisor by a few hundred ms.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createdState, writeContainer } from "../../src/sandbox/runtime/container-record.js";
import { type HostPaths, hostPaths } from "../../src/sandbox/runtime/paths.js";
import { portConflict } from "../../src/sandbox/runtime/port-check.js";
import { isAlive, processHandle, waitFor } from "../../src/sandbox/runtime/proc.js";
import { killNow } from "../../src/sandbox/runtime/stop-container.js";
import { containerRecord } from "../fakes/container-record.js";

const HOST = "127.0.1.9";
const PORT = 5193;
let root: string;
let paths: HostPaths;
const started: ChildProcess[] = [];

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "bluegreen-port-release-"));
  paths = hostPaths(root, HOST);
  await mkdir(paths.containers, { recursive: true });
});
afterEach(async () => {
  for (const c of started.splice(0)) if (c.pid !== undefined && c.exitCode === null && c.signalCode === null) process.kill(c.pid, "SIGKILL");
  await rm(root, { recursive: true, force: true });
});

/** A process that listens on HOST:PORT, says so, and closes the port `holdMs` after its parent-side stdin closes. */
async function portHolder(holdMs: number): Promise<ChildProcess> {
  const code = `const s = require("node:net").createServer(); s.listen(${PORT}, ${JSON.stringify(HOST)}, () => console.log("listening"));
process.stdin.on("end", () => setTimeout(() => process.exit(0), ${holdMs})); process.stdin.resume();`;
  const child = spawn(process.execPath, ["-e", code], { stdio: ["pipe", "pipe", "inherit"] });
  started.push(child);
  await new Promise<void>((res, rej) => {
    child.stdout?.once("data", () => res());
    child.once("exit", () => rej(new Error("the port holder exited before listening")));
  });
  return child;
}

describe("rm --force (killNow) and the container's published port", () => {
  it("returns only once the port can be bound again, though its holder outlived the supervisor", async () => {
    const holder = await portHolder(400);
    // The supervisor: a process group of its own, killed by killNow; the holder is not in it.
    const supervisor = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { detached: true, stdio: "ignore" });
    started.push(supervisor);
    const pid = supervisor.pid ?? -1;
    await waitFor(() => processHandle(pid) !== null, 5_000);
    const handle = processHandle(pid);
    expect(isAlive(handle)).toBe(true);
    const record = containerRecord("bot-blue", "a".repeat(64), {
      ports: [{ hostPort: PORT, containerPort: 5000, protocol: "tcp" }],
      state: { ...createdState(), Status: "running", Running: true, Pid: pid },
      supervisor: handle,
    });
    await writeContainer(paths, record);
    // The holder lets go 400 ms after this, while the supervisor dies at once.
    holder.stdin?.end();
    await killNow(paths, record);
    expect(isAlive(handle)).toBe(false);
    // What a `docker run` publishing the same port checks next: free.
    expect(await portConflict(paths, containerRecord("bot-blue-2", "b".repeat(64), { ports: record.ports }))).toBeNull();
  });
});
