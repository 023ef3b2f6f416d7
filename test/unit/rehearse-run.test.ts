// The rehearsal runs the image exactly as a release stages it: the same `docker run` argv (recorded
// by the stateful fake host), the env file written the same way; and its checklist lines are pure
// verdicts on what it observed.
import { describe, expect, it } from "vitest";
import { envFilePath, stageHost } from "../../src/orchestrator/stage.js";
import type { Reporter } from "../../src/ports.js";
import { listeningPorts, memoryLine, passed, portLine, stopLine, updatesLine, webhookLine } from "../../src/rehearse/checklist.js";
import { type BotApiObserver, rehearsalRunArgv, rehearse } from "../../src/rehearse/run.js";
import { builtinUpdates } from "../../src/rehearse/updates.js";
import { docker, parseBridgeGateway } from "../../src/remote/docker.js";
import { ctxFor, GOAL } from "../fakes/argv-ctx.js";
import { FakeClock, FakeHost } from "../fakes/world.js";

const quiet: Reporter = { step: () => undefined };
const noApi: BotApiObserver = { apiBase: null, calls: () => null, replies: () => null };
const runsOf = (h: FakeHost) => h.log.filter((a) => a[0] === "docker" && a[1] === "run");

describe("rehearse on a fake engine", () => {
  it("runs the image with the release's own docker run argv, for the same environment and image", async () => {
    const ctx = ctxFor();
    const goal = { ...GOAL, colour: "blue" as const, releaseId: "rehearsal-r1" };
    const releaseHost = new FakeHost("h1", "i-1");
    await stageHost(ctx, { instanceId: "i-1", address: "10.0.0.1", remote: releaseHost }, goal);

    const engine = new FakeHost("local", "local");
    const envFile = envFilePath(ctx, "blue");
    const r = await rehearse(
      { settings: ctx.settings, env: { A: "1" }, image: goal.image, releaseId: goal.releaseId, envFile, settleMs: 1_000, updates: builtinUpdates(0) },
      { host: { instanceId: "local", address: "127.0.0.1", remote: engine }, address: "127.0.0.1", sandbox: false },
      noApi,
      new FakeClock(0),
      quiet,
    );
    expect(runsOf(releaseHost)).toHaveLength(1);
    expect(runsOf(engine)).toEqual(runsOf(releaseHost));
    expect(r.runArgv).toEqual(runsOf(releaseHost)[0]);
    expect(rehearsalRunArgv({ settings: ctx.settings, image: goal.image, releaseId: goal.releaseId, envFile })).toEqual(runsOf(releaseHost)[0]);
    // Written the release's way: 0600 through stdin, never on a command line; removed afterwards.
    expect(engine.files.get(envFile)).toBe("A=1\n");
    expect(engine.log.at(-1)).toEqual(["docker", "rm", "--force", "telegram-bot-blue"]);

    expect(r.lines.map((l) => [l.id, l.status])).toEqual([
      ["start", "pass"],
      ["port", "pass"],
      ["health", "pass"],
      ["updates", "pass"],
      ["webhook", "unobservable"],
      ["memory", "pass"],
      ["stop", "pass"],
    ]);
    expect(r.passed).toBe(true);
  });

  it("refuses to touch a container of that name that is not a rehearsal's", async () => {
    const ctx = ctxFor();
    const engine = new FakeHost("local", "local");
    engine.run("telegram-bot-blue", { "bluegreen.release": "r1", "bluegreen.colour": "blue" }, "img", 5001);
    await expect(
      rehearse(
        { settings: ctx.settings, env: {}, image: GOAL.image, releaseId: "rehearsal-x", envFile: "/tmp/x.env", settleMs: 0, updates: [] },
        { host: { instanceId: "local", address: "127.0.0.1", remote: engine }, address: "127.0.0.1", sandbox: false },
        noApi,
        new FakeClock(0),
        quiet,
      ),
    ).rejects.toThrow("a container named telegram-bot-blue already exists on this Docker engine and is not a rehearsal's");
    expect(engine.log.filter((a) => a[1] === "rm" || a[1] === "run")).toEqual([]);
  });
});

describe("rehearse's own engine commands", () => {
  it("builds each argv exactly and finds the bridge's gateway", () => {
    expect(docker.build("repo:v2", "/src/Dockerfile.aws", "/src")).toEqual(["docker", "build", "--tag", "repo:v2", "--file", "/src/Dockerfile.aws", "/src"]);
    expect(docker.bridgeGateway()).toEqual(["docker", "network", "inspect", "--format", "{{range .IPAM.Config}}{{.Gateway}},{{.Subnet}} {{end}}", "bridge"]);
    expect(docker.socketTables("a-blue")).toEqual(["docker", "exec", "a-blue", "cat", "/proc/net/tcp", "/proc/net/tcp6"]);
    expect(parseBridgeGateway("172.17.0.1,172.17.0.0/16 \n")).toBe("172.17.0.1");
    expect(parseBridgeGateway(",172.18.0.0/16 \n")).toBe("172.18.0.1");
    expect(parseBridgeGateway("\n")).toBeNull();
  });
});

describe("checklist verdicts", () => {
  it("reads listening ports from /proc/net/tcp{,6}", () => {
    const tables = [
      "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode",
      "   0: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1",
      "   1: 0100007F:1388 0100007F:A000 01 00000000:00000000 00:00000000 00000000     0        0 2 1",
      "   0: 00000000000000000000000000000000:1388 00000000000000000000000000000000:0000 0A 0 0 0 0 0",
    ].join("\n");
    expect(listeningPorts(tables)).toEqual([5000, 8080]);
  });

  it("a wrong port names the port the process does listen on", () => {
    const l = portLine({ containerPort: 5000, hostPort: 5001, address: "127.0.0.1", inside: [8080], hostAnswer: new Error("socket hang up") });
    expect(l).toMatchObject({ id: "port", status: "fail" });
    expect(l.evidence).toBe("nothing listens on container.port 5000; the process listens on 8080; 127.0.0.1:5001 did not answer (socket hang up)");
  });

  it("updates, webhook calls, memory and stop", () => {
    expect(updatesLine([{ name: "/start", status: 500, ms: 3 }], [], 10_000)).toMatchObject({
      status: "fail",
      evidence: "1 of 1 updates not answered 2xx within 10s: /start: HTTP 500",
    });
    expect(webhookLine(["getMe", "deleteWebhook"])).toMatchObject({ status: "fail", evidence: expect.stringContaining("the bot called deleteWebhook x1") });
    expect(webhookLine(["getMe", "sendMessage"]).status).toBe("pass");
    expect(memoryLine(300 * 2 ** 20, 200 * 2 ** 20, null).status).toBe("fail");
    expect(memoryLine(null, 1, "the container was OOM-killed under load")).toMatchObject({
      status: "fail",
      evidence: "the container was OOM-killed under load",
    });
    expect(stopLine({ code: 0, stderr: "", elapsedMs: 30_500, stopTimeoutMs: 30_000, exitCode: 137 }).status).toBe("fail");
    expect(stopLine({ code: 0, stderr: "", elapsedMs: 400, stopTimeoutMs: 30_000, exitCode: 0 }).status).toBe("pass");
    expect(passed([webhookLine(null)])).toBe(true);
  });
});
