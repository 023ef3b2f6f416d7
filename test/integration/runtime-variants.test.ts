// Each echo-bot variant, run through the docker shim: the failures a release must notice.
import { type AddressInfo, createServer } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type FakeTelegram, startFakeTelegram } from "../helpers/runtime-fake-telegram.js";
import { createRuntimeWorld, eventually, FAKE_TOKEN, httpGet, inspectState, postUpdate, type RuntimeWorld, waitForStatus } from "../helpers/runtime-world.js";
import { testHost } from "../helpers/test-net.js";

const HOST = testHost(182);
let world: RuntimeWorld;
let telegram: FakeTelegram | null = null;

beforeEach(async () => {
  world = await createRuntimeWorld(HOST);
});

afterEach(async () => {
  await telegram?.close();
  telegram = null;
  await world.teardown();
});

/** A port nothing listens on: bound, then released. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

type State = { Status: string; ExitCode: number; OOMKilled: boolean; Running: boolean; Pid: number };
const stateOf = async (name: string) => (await inspectState(world, name)).State as State;

describe("echo-bot variants under the sandbox runtime", () => {
  it("crash-on-boot exits 3 before listening, with gunicorn's failure in docker logs (stderr)", async () => {
    await world.dockerOk("run", "-d", "--name", "bot", "-p", "5201:5000", "echo-bot:crash-on-boot");
    const state = await eventually("exit", async () => {
      const s = await stateOf("bot");
      return s.Status === "exited" ? s : undefined;
    });
    expect(state).toMatchObject({ Status: "exited", ExitCode: 3, Running: false, OOMKilled: false, Pid: 0 });
    const logs = await world.docker("logs", "--tail", "6", "bot");
    expect(logs.code).toBe(0);
    expect(logs.stdout).toBe("");
    const lines = logs.stderr.trimEnd().split("\n");
    expect(lines).toHaveLength(6);
    expect(lines[0]).toBe("ModuleNotFoundError: No module named 'main_webhook'");
    expect(lines[1]).toBe("Failed to find attribute 'create_app' in 'main_webhook'.");
    expect(lines[5]).toMatch(/^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+0000\] \[\d+\] \[ERROR\] Reason: Worker failed to boot\.$/);
    await expect(httpGet(`http://${HOST}:5201/health`)).rejects.toThrow();
    const ps = JSON.parse(await world.dockerOk("ps", "-a", "--format", "{{json .}}")) as Record<string, string>;
    expect(ps.Status).toMatch(/^Exited \(3\) (Less than a second|\d+ seconds?) ago$/);
  });

  it("crash-on-boot with --restart always keeps restarting and counts RestartCount", async () => {
    await world.dockerOk("run", "-d", "--name", "loop", "-p", "5202:5000", "--restart", "always", "echo-bot:crash-on-boot");
    await eventually("3 restarts", async () => ((await inspectState(world, "loop")).RestartCount as number) >= 3 || undefined);
    const ps = JSON.parse(await world.dockerOk("ps", "--format", "{{json .}}")) as Record<string, string>;
    expect(["running", "restarting"]).toContain(ps.State);
    await world.dockerOk("stop", "loop");
    expect(await stateOf("loop")).toMatchObject({ Status: "exited", Running: false });
  });

  it("unhealthy answers /health 503 but still acknowledges updates", async () => {
    await world.dockerOk("run", "-d", "--name", "sick", "-p", "5203:5000", "echo-bot:unhealthy");
    expect(JSON.parse(await waitForStatus(`http://${HOST}:5203/health`, 503))).toEqual({ status: "error" });
    expect((await postUpdate(`http://${HOST}:5203/telegram/green`, { update_id: 1 })).status).toBe(200);
  });

  it("crash-after-10 exits 1 after its 10th acknowledged update; on-failure restarts it (RestartCount 1)", async () => {
    await world.dockerOk("run", "-d", "--name", "crashy", "-p", "5204:5000", "--restart", "on-failure", "echo-bot:crash-after-10");
    await waitForStatus(`http://${HOST}:5204/health`, 200);
    const firstPid = (await stateOf("crashy")).Pid;
    for (let id = 1; id <= 10; id++) {
      expect((await postUpdate(`http://${HOST}:5204/`, { update_id: id })).status).toBe(200);
    }
    const restarted = await eventually("restart", async () => {
      const object = await inspectState(world, "crashy");
      const s = object.State as State;
      return object.RestartCount === 1 && s.Status === "running" && s.Pid !== firstPid ? object : undefined;
    });
    expect(restarted.RestartCount).toBe(1);
    expect(JSON.parse(await waitForStatus(`http://${HOST}:5204/health`, 200)).version).toBe("crash-after-10");
    const logs = await world.docker("logs", "--tail", "all", "crashy");
    expect(logs.stderr).toContain("ERROR crash-after-10: exiting after the 10th update\n");
  });

  it("crash-after-10 without a restart policy stays exited with code 1", async () => {
    await world.dockerOk("run", "-d", "--name", "once", "-p", "5205:5000", "echo-bot:crash-after-10");
    await waitForStatus(`http://${HOST}:5205/health`, 200);
    for (let id = 1; id <= 10; id++) await postUpdate(`http://${HOST}:5205/`, { update_id: id });
    const state = await eventually("exit", async () => {
      const s = await stateOf("once");
      return s.Status === "exited" ? s : undefined;
    });
    expect(state.ExitCode).toBe(1);
    expect((await inspectState(world, "once")).RestartCount).toBe(0);
  });

  it("webhook-500 is healthy but answers every update 500", async () => {
    await world.dockerOk("run", "-d", "--name", "w500", "-p", "5206:5000", "echo-bot:webhook-500");
    expect(JSON.parse(await waitForStatus(`http://${HOST}:5206/health`, 200)).version).toBe("webhook-500");
    expect((await postUpdate(`http://${HOST}:5206/telegram/blue`, { update_id: 5 })).status).toBe(500);
  });

  it("memory-hog is OOM-killed under --memory 64m (OOMKilled, exit 137)", async () => {
    await world.dockerOk("run", "-d", "--name", "hog", "-p", "5207:5000", "--memory", "64m", "echo-bot:memory-hog");
    const state = await eventually(
      "OOM kill",
      async () => {
        const s = await stateOf("hog");
        return s.Status === "exited" ? s : undefined;
      },
      15_000,
    );
    expect(state).toMatchObject({ Status: "exited", OOMKilled: true, ExitCode: 137, Running: false });
    // The engine's events: start, oom, then die with exit code 137 (what `docker events` prints).
    const events = (await world.dockerOk("events", "--since", "10m", "--until", "0s", "--filter", "container=hog", "--format", "{{json .}}"))
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { Action: string; Actor: { Attributes: Record<string, string> } });
    expect(events.map((e) => e.Action)).toEqual(["start", "oom", "die"]);
    expect(events[2]?.Actor.Attributes).toMatchObject({ name: "hog", exitCode: "137" });
  });

  it("memory-hog OOM-killed under --restart: inspect forgets the kill once it restarted (as docker), the events keep it", async () => {
    await world.dockerOk("run", "-d", "--name", "hog2", "-p", "5210:5000", "--memory", "64m", "--restart", "unless-stopped", "echo-bot:memory-hog");
    await eventually("a restart after the OOM kill", async () => ((await inspectState(world, "hog2")).RestartCount as number) >= 1 || undefined, 15_000);
    // Once running again, State says nothing of the kill: ExitCode 0, OOMKilled false (docker's SetRunning).
    const restarted = await eventually("running again", async () => {
      const s = await stateOf("hog2");
      return s.Status === "running" ? s : undefined;
    });
    expect(restarted).toMatchObject({ Running: true, OOMKilled: false, ExitCode: 0 });
    await world.dockerOk("stop", "-t", "0", "hog2");
    const out = await world.dockerOk(
      "events",
      "--since",
      "10m",
      "--until",
      "0s",
      "--filter",
      "container=hog2",
      "--filter",
      "event=oom",
      "--filter",
      "event=die",
      "--format",
      "{{json .}}",
    );
    const events = out
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { Action: string; Actor: { Attributes: Record<string, string> } });
    expect(events.slice(0, 2).map((e) => [e.Action, e.Actor.Attributes.exitCode])).toEqual([
      ["oom", undefined],
      ["die", "137"],
    ]);
    // Another container's events are not this one's.
    expect(await world.dockerOk("events", "--until", "0s", "--filter", "container=hog", "--format", "{{json .}}")).toBe("");
  });

  it("slow-boot answers 503 until 20 s x BOT_TIME_SCALE have passed, then 200", async () => {
    // 0.25 -> 5 s: long enough for a loaded machine to boot node and still see the 503 phase.
    await world.dockerOk("run", "-d", "--name", "slow", "-e", "BOT_TIME_SCALE=0.25", "-p", "5208:5000", "echo-bot:slow-boot");
    const started = Date.now();
    expect(JSON.parse(await waitForStatus(`http://${HOST}:5208/health`, 503))).toEqual({ status: "starting" });
    const body = await waitForStatus(`http://${HOST}:5208/health`, 200, 15_000);
    // The bot's clock starts after `docker run` spawned it, so readiness comes >= 5 s after that.
    expect(Date.now() - started).toBeGreaterThanOrEqual(4_500);
    expect(JSON.parse(body)).toEqual({ status: "ok", mode: "webhook", version: "slow-boot" });
  });

  it("sets-webhook calls setWebhook at start-up with WEBHOOK_URL and the secret", async () => {
    telegram = await startFakeTelegram();
    await world.dockerOk(
      "run",
      "-d",
      "--name",
      "setter",
      "-p",
      "5209:5000",
      "-e",
      `TELEGRAM_BOT_TOKEN=${FAKE_TOKEN}`,
      "-e",
      `TELEGRAM_API_BASE=${telegram.apiBase}`,
      "-e",
      "TELEGRAM_WEBHOOK_SECRET=s3cret",
      "-e",
      "WEBHOOK_URL=http://127.0.0.1:8443/telegram/green",
      "echo-bot:sets-webhook",
    );
    const call = await eventually("setWebhook", async () => telegram?.calls.find((c) => c.method === "setWebhook"));
    expect(call).toEqual({
      path: `/bot${FAKE_TOKEN}/setWebhook`,
      method: "setWebhook",
      body: { url: "http://127.0.0.1:8443/telegram/green", secret_token: "s3cret" },
    });
    const logs = await eventually("log line", async () => {
      const l = await world.docker("logs", "--tail", "all", "setter");
      return l.stdout.includes("setWebhook ok") ? l : undefined;
    });
    expect(logs.stdout).toContain("INFO setWebhook ok (HTTP 200: Webhook was set)\n");
    expect(`${logs.stdout}${logs.stderr}`).not.toContain(FAKE_TOKEN);
  });

  it("sets-webhook without WEBHOOK_URL registers http://HOST:PORT/webhook", async () => {
    telegram = await startFakeTelegram();
    await world.dockerOk(
      "run",
      "-d",
      "--name",
      "setter2",
      "-p",
      "5210:5000",
      "-e",
      `TELEGRAM_BOT_TOKEN=${FAKE_TOKEN}`,
      "-e",
      `TELEGRAM_API_BASE=${telegram.apiBase}`,
      "echo-bot:sets-webhook",
    );
    const call = await eventually("setWebhook", async () => telegram?.calls.find((c) => c.method === "setWebhook"));
    expect(call?.body).toEqual({ url: `http://${HOST}:5210/webhook` });
  });

  it("deletes-webhook calls deleteWebhook at start-up, like a polling bot", async () => {
    telegram = await startFakeTelegram();
    await world.dockerOk(
      "run",
      "-d",
      "--name",
      "poller",
      "-p",
      "5211:5000",
      "-e",
      `TELEGRAM_BOT_TOKEN=${FAKE_TOKEN}`,
      "-e",
      `TELEGRAM_API_BASE=${telegram.apiBase}`,
      "echo-bot:deletes-webhook",
    );
    const call = await eventually("deleteWebhook", async () => telegram?.calls.find((c) => c.method === "deleteWebhook"));
    expect(call).toEqual({ path: `/bot${FAKE_TOKEN}/deleteWebhook`, method: "deleteWebhook", body: {} });
    expect(JSON.parse(await waitForStatus(`http://${HOST}:5211/health`, 200)).version).toBe("deletes-webhook");
  });

  it("a failing sendMessage is logged without the token and the update still acknowledged", async () => {
    const closedPort = await freePort();
    await world.dockerOk(
      "run",
      "-d",
      "--name",
      "lonely",
      "-p",
      "5212:5000",
      "-e",
      `TELEGRAM_BOT_TOKEN=${FAKE_TOKEN}`,
      "-e",
      `TELEGRAM_API_BASE=http://127.0.0.1:${closedPort}`,
      "echo-bot:v2",
    );
    await waitForStatus(`http://${HOST}:5212/health`, 200);
    const reply = await postUpdate(`http://${HOST}:5212/x`, { update_id: 3, message: { chat: { id: 1 }, text: "yo" } });
    expect(reply.status).toBe(200);
    const logs = await eventually("error line", async () => {
      const l = await world.docker("logs", "--tail", "all", "lonely");
      return l.stderr.includes("sendMessage failed") ? l : undefined;
    });
    expect(logs.stderr).toMatch(new RegExp(`ERROR sendMessage failed: fetch failed: connect ECONNREFUSED 127\\.0\\.0\\.1:${closedPort}\n`));
    expect(`${logs.stdout}${logs.stderr}`).not.toContain(FAKE_TOKEN);
  });
});
