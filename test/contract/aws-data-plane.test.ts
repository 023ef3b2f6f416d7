// Contract: the listener's real HTTP data plane — path/host rules, weights, ModifyListener moving
// traffic, round-robin over healthy targets, fail-open, 502/503, streaming and draining.
import {
  CreateRuleCommand,
  DeregisterTargetsCommand,
  DescribeTargetHealthCommand,
  ModifyListenerCommand,
  RegisterTargetsCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Alb, createAlb } from "../helpers/aws-alb.js";
import { type AwsWorld, httpCall, startAwsWorld, startTarget, type TargetServer, waitFor } from "../helpers/aws-world.js";

let w: AwsWorld;
let alb: Alb;
let blue: string;
let green: string;
const stops: (() => Promise<void>)[] = [];

beforeEach(async () => {
  w = await startAwsWorld({ timeScale: 0.02 });
  alb = await createAlb(w);
  blue = alb.tg["bot-blue"] as string;
  green = alb.tg["bot-green"] as string;
});
afterEach(async () => {
  await Promise.all(stops.splice(0).map((s) => s()));
  await w.stop();
});

async function registered(tgArn: string, host: string, name: string): Promise<{ t: TargetServer; id: string }> {
  const t = await startTarget(host, name);
  stops.push(() => t.stop());
  const { instanceId } = w.emu.control.addInstance({ privateIp: host });
  await w.elb.send(new RegisterTargetsCommand({ TargetGroupArn: tgArn, Targets: [{ Id: instanceId, Port: t.port }] }));
  return { t, id: instanceId };
}

async function states(tgArn: string): Promise<string[]> {
  const out = await w.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tgArn }));
  return (out.TargetHealthDescriptions ?? []).map((d) => d.TargetHealth?.State ?? "");
}
const allHealthy = (tgArn: string, n: number) =>
  waitFor(
    () => states(tgArn),
    (s) => s.length === n && s.every((x) => x === "healthy"),
    5000,
    "healthy targets",
  );
const servedBy = async (path: string) => (await httpCall(alb.dataPlanePort, path)).headers.get("x-served-by");
const weighted = (weights: [string, number][]) =>
  w.elb.send(
    new ModifyListenerCommand({
      ListenerArn: alb.listenerArn,
      DefaultActions: [{ Type: "forward", ForwardConfig: { TargetGroups: weights.map(([TargetGroupArn, Weight]) => ({ TargetGroupArn, Weight })) } }],
    }),
  );

describe("routing", () => {
  let greenTarget: TargetServer;
  beforeEach(async () => {
    await registered(blue, "127.0.2.1", "blue");
    greenTarget = (await registered(green, "127.0.2.2", "green")).t;
    for (const [priority, path, tg] of [
      [10, "/telegram/blue*", blue],
      [20, "/telegram/green*", green],
    ] as const) {
      await w.elb.send(
        new CreateRuleCommand({
          ListenerArn: alb.listenerArn,
          Priority: priority,
          Conditions: [{ Field: "path-pattern", Values: [path] }],
          Actions: [{ Type: "forward", TargetGroupArn: tg }],
        }),
      );
    }
    await allHealthy(blue, 1);
    await allHealthy(green, 1);
  });

  it("matches path rules (ignoring the query string) and falls back to the default action", async () => {
    expect(await servedBy("/telegram/green")).toBe("green");
    expect(await servedBy("/telegram/blue?x=1")).toBe("blue");
    expect(await servedBy("/telegram/greenhouse/1")).toBe("green");
    expect(await servedBy("/somewhere-else")).toBe("blue");
  });

  it("matches ? wildcards and host-header conditions", async () => {
    await w.elb.send(
      new CreateRuleCommand({
        ListenerArn: alb.listenerArn,
        Priority: 5,
        Conditions: [
          { Field: "host-header", HostHeaderConfig: { Values: ["*.example.com"] } },
          { Field: "path-pattern", PathPatternConfig: { Values: ["/v?/x"] } },
        ],
        Actions: [{ Type: "forward", TargetGroupArn: green }],
      }),
    );
    expect((await httpCall(alb.dataPlanePort, "/v1/x", { headers: { Host: "bot.example.com" } })).headers.get("x-served-by")).toBe("green");
    expect((await httpCall(alb.dataPlanePort, "/v12/x", { headers: { Host: "bot.example.com" } })).headers.get("x-served-by")).toBe("blue");
    expect((await httpCall(alb.dataPlanePort, "/v1/x", { headers: { Host: "bot.example.org" } })).headers.get("x-served-by")).toBe("blue");
  });

  it("streams the method, body and headers through, keeping the Telegram secret header", async () => {
    const update = JSON.stringify({ update_id: 1001, message: { text: "hi" } });
    const res = await httpCall(alb.dataPlanePort, "/telegram/green", {
      body: update,
      headers: { "Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": "sandbox-secret-1" },
    });
    expect(res.status).toBe(200);
    expect(res.body).toBe(`green POST /telegram/green ${update}`);
    const seen = greenTarget.seen.find((s) => s.path === "/telegram/green");
    expect(seen?.headers["x-telegram-bot-api-secret-token"]).toBe("sandbox-secret-1");
    expect(seen?.headers["content-type"]).toBe("application/json");
    expect(seen?.body).toBe(update);
  });

  it("moves traffic on ModifyListener from the next request", async () => {
    expect(await servedBy("/")).toBe("blue");
    await w.elb.send(new ModifyListenerCommand({ ListenerArn: alb.listenerArn, DefaultActions: [{ Type: "forward", TargetGroupArn: green }] }));
    expect(await servedBy("/")).toBe("green");
  });

  it("splits by ForwardConfig weights and never picks a weight-0 group", async () => {
    await weighted([
      [blue, 3],
      [green, 1],
    ]);
    const seen: string[] = [];
    for (let i = 0; i < 8; i++) seen.push((await servedBy("/")) ?? "");
    expect(seen.filter((s) => s === "blue")).toHaveLength(6);
    expect(seen.filter((s) => s === "green")).toHaveLength(2);
    await weighted([
      [blue, 0],
      [green, 1],
    ]);
    for (let i = 0; i < 4; i++) expect(await servedBy("/")).toBe("green");
  });
});

describe("target choice", () => {
  it("passes headers through to the target and back", async () => {
    const { t } = await registered(blue, "127.0.2.3", "blue");
    await allHealthy(blue, 1);
    const res = await httpCall(alb.dataPlanePort, "/telegram/blue", { body: "{}", headers: { "X-Telegram-Bot-Api-Secret-Token": "sandbox-secret-2" } });
    expect(res.headers.get("x-served-by")).toBe("blue");
    const req = t.seen.find((s) => s.path === "/telegram/blue");
    expect(req?.headers["x-telegram-bot-api-secret-token"]).toBe("sandbox-secret-2");
    expect(req?.headers["x-forwarded-proto"]).toBe("http");
    expect(req?.headers["x-forwarded-port"]).toBe("80");
    expect(req?.body).toBe("{}");
  });

  it("round-robins over healthy targets only", async () => {
    await registered(blue, "127.0.2.4", "blue-a");
    const b = await registered(blue, "127.0.2.5", "blue-b");
    await allHealthy(blue, 2);
    expect([await servedBy("/"), await servedBy("/"), await servedBy("/"), await servedBy("/")].sort()).toEqual(["blue-a", "blue-a", "blue-b", "blue-b"]);
    b.t.status = 503;
    await waitFor(
      () => states(blue),
      (s) => s.sort().join() === "healthy,unhealthy",
      5000,
      "one unhealthy",
    );
    for (let i = 0; i < 4; i++) expect(await servedBy("/")).toBe("blue-a");
  });

  it("fails open to every registered target when none is healthy", async () => {
    const a = await registered(blue, "127.0.2.6", "blue-a");
    await allHealthy(blue, 1);
    a.t.status = 500;
    await waitFor(
      () => states(blue),
      (s) => s[0] === "unhealthy",
      5000,
      "unhealthy",
    );
    const res = await httpCall(alb.dataPlanePort, "/");
    expect([res.status, res.headers.get("x-served-by")]).toEqual([500, "blue-a"]);
  });

  it("answers 503 without targets and 502 when the target refuses the connection", async () => {
    const none = await httpCall(alb.dataPlanePort, "/");
    expect([none.status, none.body]).toEqual([
      503,
      "<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head>\r\n<body>\r\n<center><h1>503 Service Temporarily Unavailable</h1></center>\r\n</body>\r\n</html>\r\n",
    ]);
    const a = await registered(blue, "127.0.2.7", "blue-a");
    await a.t.stop();
    const refused = await httpCall(alb.dataPlanePort, "/");
    expect([refused.status, refused.body]).toEqual([
      502,
      "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n",
    ]);
  });

  it("sends nothing new to a draining target, lets its in-flight request finish, then drops it early", async () => {
    const slow = await registered(blue, "127.0.2.8", "slow");
    await allHealthy(blue, 1);
    let release = () => {};
    slow.t.hold = new Promise<void>((r) => {
      release = r;
    });
    const inFlight = httpCall(alb.dataPlanePort, "/telegram/blue", { body: "held" });
    await waitFor(
      () => w.emu.control.state().targetGroups.find((g) => g.arn === blue)?.targets[0]?.inFlight,
      (n) => n === 1,
      5000,
      "request in flight",
    );
    w.emu.control.setTimeScale(1); // deregistration delay 5 s: the drain must end well before it
    await w.elb.send(new DeregisterTargetsCommand({ TargetGroupArn: blue, Targets: [{ Id: slow.id, Port: slow.t.port }] }));
    expect(await states(blue)).toEqual(["draining"]);
    await registered(blue, "127.0.2.9", "fresh");
    expect(await servedBy("/")).toBe("fresh");
    release();
    const done = await inFlight;
    expect([done.status, done.body]).toEqual([200, "slow POST /telegram/blue held"]);
    await waitFor(
      () => states(blue),
      (s) => !s.includes("draining"),
      2000,
      "drain ended early",
    );
  });
});
