// The docker shim as a real executable: run, health over HTTP, inspect/ps/stats/logs output,
// stop/start/rm, and docker's errors for name and port conflicts.
import { readFile, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { killAllContainers, writeDockerShim } from "../../src/sandbox/runtime/index.js";
import { readShimDefaults } from "../../src/sandbox/runtime/shim.js";
import { type FakeTelegram, startFakeTelegram } from "../helpers/runtime-fake-telegram.js";
import {
  COMPILED_CLI,
  createRuntimeWorld,
  eventually,
  FAKE_TOKEN,
  inspectState,
  postUpdate,
  type RuntimeWorld,
  waitForStatus,
} from "../helpers/runtime-world.js";
import { testHost } from "../helpers/test-net.js";

const HOST = testHost(181);
let world: RuntimeWorld;
let telegram: FakeTelegram | null = null;
let blocker: Server | null = null;

beforeEach(async () => {
  world = await createRuntimeWorld(HOST);
});

afterEach(async () => {
  await telegram?.close();
  telegram = null;
  await new Promise<void>((done) => (blocker ? blocker.close(() => done()) : done()));
  blocker = null;
  await world.teardown();
});

describe("docker run on a sandbox host", () => {
  it("starts the bot on the host address at the published port and reports it like docker", async () => {
    const id = (
      await world.dockerOk(
        "run",
        "--detach",
        "--name",
        "bot-blue",
        "--label",
        "bluegreen.colour=blue",
        "-l",
        "bluegreen.release=r1",
        "--label=bluegreen.app=echo",
        "--env",
        "BOT_MODE=webhook",
        "-e",
        "EMPTY=",
        "--publish",
        "5101:5000",
        "--memory",
        "400m",
        "--restart",
        "on-failure",
        "echo-bot:v1",
      )
    ).trim();
    expect(id).toMatch(/^[a-f0-9]{64}$/);
    expect(JSON.parse(await waitForStatus(`http://${HOST}:5101/health`, 200))).toEqual({
      status: "ok",
      mode: "webhook",
      version: "v1",
    });

    const inspected = await inspectState(world, "bot-blue");
    expect(inspected.Id).toBe(id);
    expect(inspected.Name).toBe("/bot-blue");
    expect(inspected.RestartCount).toBe(0);
    expect(inspected.Image).toMatch(/^sha256:[a-f0-9]{64}$/);
    expect(inspected.State).toMatchObject({ Status: "running", Running: true, Restarting: false, OOMKilled: false, ExitCode: 0 });
    expect((inspected.State as { Pid: number }).Pid).toBeGreaterThan(0);
    expect(inspected.Config).toMatchObject({
      Image: "echo-bot:v1",
      Labels: { "bluegreen.colour": "blue", "bluegreen.release": "r1", "bluegreen.app": "echo" },
      Env: ["BOT_MODE=webhook", "EMPTY=", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "NODE_VERSION=20", "BOT_VARIANT=v1"],
    });
    expect(inspected.HostConfig).toMatchObject({
      Memory: 400 * 1024 * 1024,
      RestartPolicy: { Name: "on-failure", MaximumRetryCount: 0 },
      PortBindings: { "5000/tcp": [{ HostIp: "", HostPort: "5101" }] },
    });

    const ps = (await world.dockerOk("ps", "--all", "--filter", "label=bluegreen.colour=blue", "--format", "{{json .}}"))
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as Record<string, string>);
    expect(ps).toHaveLength(1);
    expect(ps[0]).toMatchObject({
      ID: id.slice(0, 12),
      Names: "bot-blue",
      Image: "echo-bot:v1",
      Labels: "bluegreen.app=echo,bluegreen.colour=blue,bluegreen.release=r1",
      State: "running",
      Ports: "0.0.0.0:5101->5000/tcp",
    });
    expect(ps[0]?.Status).toMatch(/^Up (Less than a second|\d+ seconds?)$/);
    expect(ps[0]?.CreatedAt).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+0000 UTC$/);
    expect(await world.dockerOk("ps", "--all", "--filter", "label=bluegreen.colour=green", "--format", "{{json .}}")).toBe("");

    const stats = JSON.parse(await world.dockerOk("stats", "--no-stream", "--format", "{{json .}}", "bot-blue")) as Record<string, string>;
    expect(stats.Name).toBe("bot-blue");
    expect(stats.ID).toBe(id.slice(0, 12));
    expect(stats.MemUsage).toMatch(/^\d+(\.\d+)?MiB \/ 400MiB$/);
    expect(stats.MemPerc).toMatch(/^\d+\.\d\d%$/);
    expect(stats.CPUPerc).toMatch(/^\d+\.\d\d%$/);
  });

  it("stops with SIGTERM (exit 0, no restart), starts again, refuses rm while running, removes", async () => {
    await world.dockerOk("run", "-d", "--name", "bot-green", "-p", "5102:5000", "--restart", "always", "echo-bot:v2");
    await waitForStatus(`http://${HOST}:5102/health`, 200);

    expect(await world.docker("stop", "--time", "5", "bot-green")).toEqual({ code: 0, stdout: "bot-green\n", stderr: "" });
    const stopped = await inspectState(world, "bot-green");
    expect(stopped.State).toMatchObject({ Status: "exited", Running: false, Restarting: false, ExitCode: 0, Pid: 0 });
    expect(stopped.RestartCount).toBe(0);
    const ps = JSON.parse(await world.dockerOk("ps", "-a", "--format", "{{json .}}")) as Record<string, string>;
    expect(ps.Status).toMatch(/^Exited \(0\) (Less than a second|\d+ seconds?) ago$/);
    expect(ps.Ports).toBe("");
    expect(await world.dockerOk("ps", "--format", "{{.Names}}")).toBe("");

    const logs = await world.docker("logs", "--tail", "2", "bot-green");
    expect(logs.code).toBe(0);
    const listening = `INFO echo-bot v2 listening on http://${HOST}:5102 `.replace(/[./]/g, "\\$&");
    expect(logs.stdout).toMatch(new RegExp(`${listening}\\(pid \\d+\\)\\n.*INFO received SIGTERM, shutting down\\n$`));

    expect(await world.docker("start", "bot-green")).toEqual({ code: 0, stdout: "bot-green\n", stderr: "" });
    await waitForStatus(`http://${HOST}:5102/health`, 200);

    expect(await world.docker("rm", "bot-green")).toEqual({
      code: 1,
      stdout: "",
      stderr: 'Error response from daemon: cannot remove container "/bot-green": container is running: stop the container before removing or force remove\n',
    });
    expect(await world.docker("rm", "--force", "bot-green")).toEqual({ code: 0, stdout: "bot-green\n", stderr: "" });
    expect(await world.docker("inspect", "--type", "container", "bot-green")).toEqual({
      code: 1,
      stdout: "[]\n",
      stderr: "Error: No such container: bot-green\n",
    });
    expect(await world.docker("logs", "--tail", "1", "bot-green")).toEqual({
      code: 1,
      stdout: "",
      stderr: "Error response from daemon: No such container: bot-green\n",
    });
    expect(await world.docker("stop", "bot-green")).toMatchObject({ code: 1, stderr: "Error response from daemon: No such container: bot-green\n" });
    expect(await world.docker("rm", "--force", "bot-green")).toEqual({
      code: 0,
      stdout: "",
      stderr: "Error response from daemon: No such container: bot-green\n",
    });
    expect(await world.docker("rm", "bot-green")).toEqual({
      code: 1,
      stdout: "",
      stderr: "Error response from daemon: No such container: bot-green\n",
    });
  });

  it("kills at once with docker stop -t 0 (exit 137) and does not restart", async () => {
    await world.dockerOk("run", "-d", "--name", "bot-kill", "-p", "5103:5000", "--restart", "always", "echo-bot:v1");
    await waitForStatus(`http://${HOST}:5103/health`, 200);
    expect((await world.docker("stop", "-t", "0", "bot-kill")).code).toBe(0);
    const killed = await inspectState(world, "bot-kill");
    expect(killed.State).toMatchObject({ Status: "exited", ExitCode: 137, OOMKilled: false, Running: false });
    expect(killed.RestartCount).toBe(0);
  });

  it("rejects a second container with the same name with docker's conflict text (exit 125)", async () => {
    const id = (await world.dockerOk("run", "-d", "--name", "bot-x", "-p", "5104:5000", "echo-bot:v1")).trim();
    const second = await world.docker("run", "-d", "--name", "bot-x", "-p", "5105:5000", "echo-bot:v1");
    expect(second).toEqual({
      code: 125,
      stdout: "",
      stderr:
        `docker: Error response from daemon: Conflict. The container name "/bot-x" is already in use by container "${id}". ` +
        "You have to remove (or rename) that container to be able to reuse that name.\n\n" +
        "Run 'docker run --help' for more information\n",
    });
  });

  it("fails on a taken port like docker and leaves the container created", async () => {
    await world.dockerOk("pull", "echo-bot:v1");
    await world.dockerOk("pull", "echo-bot:v2");
    blocker = createServer();
    await new Promise<void>((done) => blocker?.listen(5106, HOST, done));
    const result = await world.docker("run", "-d", "--name", "bot-port", "-p", "5106:5000", "echo-bot:v1");
    expect(result.code).toBe(125);
    const created = await inspectState(world, "bot-port");
    const id = created.Id as string;
    expect(result.stderr).toBe(
      `docker: Error response from daemon: driver failed programming external connectivity on endpoint bot-port (${id}): ` +
        "failed to bind port 0.0.0.0:5106/tcp: Error starting userland proxy: listen tcp4 0.0.0.0:5106: bind: address already in use\n\n" +
        "Run 'docker run --help' for more information\n",
    );
    expect(created.State).toMatchObject({ Status: "created", Running: false, ExitCode: 128 });

    await world.dockerOk("run", "-d", "--name", "bot-a", "-p", "5107:5000", "echo-bot:v1");
    const clash = await world.docker("run", "-d", "--name", "bot-b", "-p", "5107:5000", "echo-bot:v2");
    const clashId = (await inspectState(world, "bot-b")).Id as string;
    expect(clash.stderr).toBe(
      `docker: Error response from daemon: driver failed programming external connectivity on endpoint bot-b (${clashId}): ` +
        "Bind for 0.0.0.0:5107 failed: port is already allocated\n\nRun 'docker run --help' for more information\n",
    );
  });

  it("passes env-file + --env to the bot, records each update, and echoes through sendMessage", async () => {
    telegram = await startFakeTelegram();
    const envFile = join(world.stateRoot, "bot.env");
    await writeFile(envFile, `# secrets\nTELEGRAM_BOT_TOKEN=${FAKE_TOKEN}\n  TELEGRAM_API_BASE=${telegram.apiBase}\nTELEGRAM_WEBHOOK_SECRET="not-this"\n\n`);
    await world.dockerOk("run", "-d", "--name", "bot-echo", "--env-file", envFile, "-e", "TELEGRAM_WEBHOOK_SECRET=s3cret", "-p", "5108:5000", "echo-bot:v3");
    await waitForStatus(`http://${HOST}:5108/health`, 200);
    const update = { update_id: 41, message: { chat: { id: 7 }, text: "hi" } };
    expect((await postUpdate(`http://${HOST}:5108/telegram/blue`, update)).status).toBe(401);
    expect((await postUpdate(`http://${HOST}:5108/telegram/blue`, update, { "X-Telegram-Bot-Api-Secret-Token": "s3cret" })).status).toBe(200);
    const call = await eventually("sendMessage", async () => telegram?.calls.find((c) => c.method === "sendMessage"));
    expect(call).toEqual({ path: `/bot${FAKE_TOKEN}/sendMessage`, method: "sendMessage", body: { chat_id: 7, text: "echo: hi" } });

    const recordPath = join(world.stateRoot, "hosts", HOST, "records", "bot-echo.ndjson");
    const records = (await readFile(recordPath, "utf8"))
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records).toHaveLength(1);
    const botPid = ((await inspectState(world, "bot-echo")).State as { Pid: number }).Pid;
    expect(records[0]).toEqual({ updateId: 41, variant: "v3", pid: botPid, at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
    const logs = await world.docker("logs", "--tail", "all", "bot-echo");
    expect(`${logs.stdout}${logs.stderr}`).not.toContain(FAKE_TOKEN);
  });

  it("keeps hosts apart, and killAllContainers ends every supervisor and bot of every host", async () => {
    const other = testHost(184);
    await world.dockerOk("run", "-d", "--name", "bot", "-p", "5109:5000", "echo-bot:v1");
    expect((await world.dockerWithEnv({ BLUEGREEN_SANDBOX_HOST: other }, "run", "-d", "--name", "bot", "-p", "5109:5000", "echo-bot:v2")).code).toBe(0);
    expect(JSON.parse(await waitForStatus(`http://${HOST}:5109/health`, 200)).version).toBe("v1");
    expect(JSON.parse(await waitForStatus(`http://${other}:5109/health`, 200)).version).toBe("v2");
    expect(await world.dockerWithEnv({ BLUEGREEN_SANDBOX_HOST: other }, "ps", "--format", "{{.Names}} {{.Image}}")).toEqual({
      code: 0,
      stdout: "bot echo-bot:v2\n",
      stderr: "",
    });
    expect(await killAllContainers(world.stateRoot)).toBe(4);
    expect((await inspectState(world, "bot")).State).toMatchObject({ Status: "exited", ExitCode: 137, Running: false });
    expect(await killAllContainers(world.stateRoot)).toBe(0);
  });

  it("writes a sh shim, marked as ours with its defaults, that execs node on the compiled CLI", async () => {
    const text = await readFile(world.shim, "utf8");
    expect(text).toBe(`#!/bin/sh\n# bluegreen-sandbox-docker-shim {}\nexec '${process.execPath}' '${COMPILED_CLI}' "$@"\n`);
    expect(await readShimDefaults(world.shim)).toEqual({});
    const withDefaults = await writeDockerShim(join(world.stateRoot, "bin2"), { stateRoot: "/tmp/it's", host: HOST });
    expect((await readFile(withDefaults, "utf8")).split("\n").slice(1, 4)).toEqual([
      `# bluegreen-sandbox-docker-shim {"BLUEGREEN_SANDBOX_STATE":"/tmp/it's","BLUEGREEN_SANDBOX_HOST":"${HOST}"}`,
      `if [ -z "\${BLUEGREEN_SANDBOX_STATE:-}" ]; then BLUEGREEN_SANDBOX_STATE='/tmp/it'\\''s'; export BLUEGREEN_SANDBOX_STATE; fi`,
      `if [ -z "\${BLUEGREEN_SANDBOX_HOST:-}" ]; then BLUEGREEN_SANDBOX_HOST='${HOST}'; export BLUEGREEN_SANDBOX_HOST; fi`,
    ]);
    expect(await readShimDefaults(withDefaults)).toEqual({ BLUEGREEN_SANDBOX_STATE: "/tmp/it's", BLUEGREEN_SANDBOX_HOST: HOST });
    // Anything else is not ours: another script, a missing file.
    await writeFile(join(world.stateRoot, "bin2", "other"), '#!/bin/sh\n# bluegreen-sandbox-docker-shim nonsense\nexec docker "$@"\n');
    expect(await readShimDefaults(join(world.stateRoot, "bin2", "other"))).toBeNull();
    expect(await readShimDefaults(join(world.stateRoot, "bin2", "missing"))).toBeNull();
  });
});
