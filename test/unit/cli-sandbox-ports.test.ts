// `sandbox up` when its ports are taken: exit 1 (the world, not the command line) naming each port and
// the process holding it, and no .bluegreen/ left behind; `sandbox status` says another folder's
// sandbox holds the ports. Holders are real processes on free loopback ports (the fixed sandbox
// ports are passed in, so a test never needs 4566/8081/8080).
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "../../src/cli/args.js";
import { sandbox } from "../../src/cli/commands/sandbox.js";
import { exitCodeOf } from "../../src/cli/exit-codes.js";
import { busyPorts, describeHolders, sandboxDirOf } from "../../src/cli/port-holders.js";
import { capturedOutput } from "../fakes/captured-output.js";

const LISTENER = `const s = require("node:net").createServer(); s.listen(Number(process.env.PORT), "127.0.0.1", () => process.stdout.write("ready\\n"));`;

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const { port } = s.address() as { port: number };
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** A process listening on `port`, started as `node <script> ...args`; resolves once it listens. */
async function holder(script: string, port: number, args: string[]): Promise<ChildProcess> {
  const child = spawn(process.execPath, [script, ...args], { env: { PATH: process.env.PATH ?? "", PORT: String(port) }, stdio: ["ignore", "pipe", "inherit"] });
  await new Promise<void>((resolve, reject) => {
    child.stdout?.once("data", () => resolve());
    child.once("exit", (code) => reject(new Error(`holder exited with ${code}`)));
  });
  return child;
}

describe("sandbox up/status with the ports taken", () => {
  let dir: string;
  const children: ChildProcess[] = [];
  let ports: { aws: number; telegram: number; alb: number };
  let plain: ChildProcess;
  let daemon: ChildProcess;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "bg-sandbox-ports-"));
    ports = { aws: await freePort(), telegram: await freePort(), alb: await freePort() };
    await writeFile(join(dir, "holder.cjs"), LISTENER);
    // Looks like another folder's `sandbox up` daemon: node .../sandbox/daemon.js <dir>/.bluegreen/sandbox
    await mkdir(join(dir, "dist", "sandbox"), { recursive: true });
    await writeFile(join(dir, "dist", "sandbox", "daemon.js"), LISTENER);
    plain = await holder(join(dir, "holder.cjs"), ports.aws, []);
    children.push(plain);
    daemon = await holder(join(dir, "dist", "sandbox", "daemon.js"), ports.telegram, [join(dir, "other", ".bluegreen", "sandbox")]);
    children.push(daemon);
  });

  afterAll(async () => {
    for (const c of children) if (c.pid !== undefined && c.exitCode === null) process.kill(c.pid, "SIGKILL");
    await rm(dir, { recursive: true, force: true });
  });

  it("names each busy port with its pid and command, and the other folder of a sandbox daemon", async () => {
    const taken = await busyPorts("127.0.0.1", [ports.aws, ports.telegram, ports.alb]);
    expect(taken).toEqual([
      { port: ports.aws, pid: plain.pid, command: `${process.execPath} ${join(dir, "holder.cjs")}` },
      {
        port: ports.telegram,
        pid: daemon.pid,
        command: `${process.execPath} ${join(dir, "dist", "sandbox", "daemon.js")} ${join(dir, "other", ".bluegreen", "sandbox")}`,
        sandboxDir: join(dir, "other"),
      },
    ]);
    expect(sandboxDirOf(["node", "/x/dist/src/sandbox/daemon.js", "/home/a/.bluegreen/sandbox"])).toBe("/home/a");
    expect(sandboxDirOf(["node", "/x/main.js", "/home/a/.bluegreen/sandbox"])).toBeUndefined();
  });

  it("up fails with exit 1 naming the ports and holders, and creates no .bluegreen/", async () => {
    const here = join(dir, "here");
    await mkdir(here);
    const { out } = capturedOutput(false);
    const error = await sandbox(parse(["sandbox", "up", "--config-dir", here]), out, ports).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.name).toBe("PreflightError");
    expect(exitCodeOf(error)).toBe(1);
    expect(error?.message).toBe(
      `the sandbox cannot start: port ${ports.aws} (pid ${plain.pid}: ${process.execPath} ${join(dir, "holder.cjs")}), ` +
        `port ${ports.telegram} (pid ${daemon.pid}: ${process.execPath} ${join(dir, "dist", "sandbox", "daemon.js")} ${join(dir, "other", ".bluegreen", "sandbox")}) are already in use`,
    );
    // One process holding several ports is named once, after its ports.
    expect(describeHolders([{ port: 4566, pid: 7, command: "node d.js" }, { port: 8081, pid: 7, command: "node d.js" }, { port: 8080 }])).toBe(
      "ports 4566, 8081 (pid 7: node d.js), port 8080",
    );
    expect((error as { remedy?: string }).remedy).toBe(
      `stop what holds them, then \`bluegreen sandbox up\` again (the sandbox needs 127.0.0.1 ports ${ports.aws}, ${ports.telegram} free)`,
    );
    expect(existsSync(join(here, ".bluegreen"))).toBe(false);
  });

  it("up and status point at the other folder when its sandbox holds the ports", async () => {
    const here = join(dir, "elsewhere");
    await mkdir(here);
    const only = { aws: ports.telegram, telegram: ports.telegram, alb: ports.telegram };
    const up = capturedOutput(false);
    const error = await sandbox(parse(["sandbox", "up", "--config-dir", here]), up.out, only).then(
      () => undefined,
      (e: unknown) => e as Error & { remedy?: string },
    );
    const other = join(dir, "other");
    expect(error?.remedy).toBe(
      `that is the sandbox started in ${other}: use it (run bluegreen there, or pass --config-dir ${other}) or stop it with \`bluegreen sandbox down --config-dir ${other}\``,
    );
    expect(existsSync(join(here, ".bluegreen"))).toBe(false);
    const status = capturedOutput(false);
    expect(await sandbox(parse(["sandbox", "status", "--config-dir", here]), status.out, only)).toBe(0);
    expect(status.stdout()).toBe(
      `sandbox is not running in this folder, but the sandbox started in ${other} holds its ports (pid ${daemon.pid}): pass --config-dir ${other}, or run bluegreen there\n`,
    );
    const free = { aws: await freePort(), telegram: await freePort(), alb: await freePort() };
    const idle = capturedOutput(false);
    await sandbox(parse(["sandbox", "status", "--config-dir", here]), idle.out, free);
    expect(idle.stdout()).toBe("sandbox is not running (bluegreen sandbox up)\n");
  });
});
