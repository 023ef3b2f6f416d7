// The gate verdicts: ok / wait / fail with the exact reason an operator reads.
import { describe, expect, it } from "vitest";
import {
  combine,
  containerVerdict,
  type FailCause,
  healthVerdict,
  type LastExit,
  memoryVerdict,
  OK,
  onHost,
  targetHealthVerdict,
  type Verdict,
  webhookVerdict,
} from "../../src/domain/gates.js";
import type { ContainerFacts } from "../../src/domain/types.js";
import type { WebhookInfo } from "../../src/ports.js";

const wait = (reason: string): Verdict => ({ kind: "wait", reason });
const fail = (reason: string, cause?: FailCause): Verdict => (cause === undefined ? { kind: "fail", reason } : { kind: "fail", reason, cause });

describe("healthVerdict", () => {
  const plain = { path: "/health", expectStatus: 200 };
  const json = { path: "/health", expectStatus: 200, expectJson: { status: "ok", mode: "webhook" } };
  it.each<[string, Parameters<typeof healthVerdict>[0], Parameters<typeof healthVerdict>[1], Verdict]>([
    ["200 without body check", { status: 200, body: "anything" }, plain, OK],
    ["connection error", new Error("connect ECONNREFUSED 127.0.1.1:5002"), plain, wait("GET /health failed: connect ECONNREFUSED 127.0.1.1:5002")],
    ["wrong status", { status: 503, body: "" }, plain, wait("GET /health answered 503, expected 200")],
    ["expected other status", { status: 200, body: "" }, { path: "/ready", expectStatus: 204 }, wait("GET /ready answered 200, expected 204")],
    ["matching JSON with extra keys", { status: 200, body: '{"status":"ok","mode":"webhook","version":"v2"}' }, json, OK],
    ["not JSON", { status: 200, body: "<html>" }, json, wait("GET /health did not answer JSON")],
    ["wrong value", { status: 200, body: '{"status":"ok","mode":"polling"}' }, json, wait('GET /health has mode="polling", expected "webhook"')],
    ["missing key", { status: 200, body: '{"status":"ok"}' }, json, wait('GET /health has mode=undefined, expected "webhook"')],
    ["JSON array", { status: 200, body: "[1]" }, json, wait('GET /health has status=undefined, expected "ok"')],
    ["JSON null", { status: 200, body: "null" }, json, wait('GET /health has status=undefined, expected "ok"')],
    ["number vs string", { status: 200, body: '{"n":1}' }, { ...plain, expectJson: { n: "1" } }, wait('GET /health has n=1, expected "1"')],
    ["nested object equal", { status: 200, body: '{"a":{"b":[1,2]}}' }, { ...plain, expectJson: { a: { b: [1, 2] } } }, OK],
    ["status checked before body", { status: 500, body: "not json" }, json, wait("GET /health answered 500, expected 200")],
  ])("%s", (_n, res, expect_, verdict) => {
    expect(healthVerdict(res, expect_)).toEqual(verdict);
  });
});

function c(over: Partial<ContainerFacts>): ContainerFacts {
  return {
    mode: "webhook",
    name: "bot-green",
    colour: "green",
    releaseId: "r2",
    image: "img",
    running: true,
    status: "running",
    exitCode: 0,
    oomKilled: false,
    restartCount: 0,
    startedAt: null,
    ...over,
  };
}

describe("containerVerdict", () => {
  it.each<[string, ContainerFacts | undefined, number | undefined, Verdict]>([
    ["missing", undefined, undefined, fail("container is missing", "restart")],
    ["running", c({}), undefined, OK],
    ["running, no new restarts", c({ restartCount: 2 }), 2, OK],
    [
      "OOM-killed wins over everything, with the engine's exit code",
      c({ oomKilled: true, running: false, status: "exited", exitCode: 137 }),
      undefined,
      fail("container bot-green was OOM-killed (memory limit reached, exit code 137)", "oom"),
    ],
    [
      "OOM-killed while the engine waits to restart it",
      c({ oomKilled: true, running: false, status: "restarting", exitCode: 137, restartCount: 1 }),
      0,
      fail("container bot-green was OOM-killed (memory limit reached, exit code 137)", "oom"),
    ],
    [
      "OOM flag while running (a process other than the main one)",
      c({ oomKilled: true }),
      0,
      fail("container bot-green was OOM-killed (memory limit reached)", "oom"),
    ],
    [
      "restart loop",
      c({ running: false, status: "restarting", exitCode: 1, restartCount: 4 }),
      undefined,
      fail("container bot-green is in a restart loop (exit code 1, 4 restarts)", "restart"),
    ],
    ["exited", c({ running: false, status: "exited", exitCode: 3 }), undefined, fail("container bot-green exited with code 3", "restart")],
    ["created, never started", c({ running: false, status: "created", exitCode: 0 }), undefined, fail("container bot-green exited with code 0", "restart")],
    ["restarted since baseline", c({ restartCount: 3, exitCode: 2 }), 1, fail("container bot-green restarted 2 time(s) (exit code 2)", "restart")],
  ])("%s", (_n, facts, baseline, verdict) => {
    expect(containerVerdict(facts, baseline)).toEqual(verdict);
  });

  // After a restart the engine's inspect says running, exit code 0, OOMKilled false: the events say how the run ended.
  it.each<[string, LastExit | null, Verdict]>([
    [
      "an OOM kill the engine restarted",
      { exitCode: 137, oomKilled: true },
      fail("container bot-green was OOM-killed (memory limit reached, exit code 137) and restarted 1 time(s)", "oom"),
    ],
    [
      "a crash the engine restarted: its exit code, not inspect's 0",
      { exitCode: 3, oomKilled: false },
      fail("container bot-green restarted 1 time(s) (exit code 3)", "restart"),
    ],
    ["no events: inspect's exit code", null, fail("container bot-green restarted 1 time(s) (exit code 0)", "restart")],
  ])("restarted since baseline, last exit: %s", (_n, exit, verdict) => {
    expect(containerVerdict(c({ restartCount: 1 }), 0, exit)).toEqual(verdict);
  });

  it("the last exit is not consulted for a container that did not restart", () => {
    expect(containerVerdict(c({ restartCount: 1 }), 1, { exitCode: 137, oomKilled: true })).toEqual(OK);
  });
});

describe("targetHealthVerdict", () => {
  const expected = [
    { id: "i-1", port: 5002 },
    { id: "i-2", port: 5002 },
  ];
  it("all healthy", () => {
    expect(
      targetHealthVerdict(
        [
          { id: "i-2", port: 5002, state: "healthy" },
          { id: "i-1", port: 5002, state: "healthy" },
        ],
        expected,
      ),
    ).toEqual(OK);
  });
  it("nothing expected", () => {
    expect(targetHealthVerdict([], [])).toEqual(OK);
  });
  it("missing target", () => {
    expect(targetHealthVerdict([{ id: "i-1", port: 5002, state: "healthy" }], expected)).toEqual(wait("target i-2:5002 is not registered yet"));
  });
  it("same instance on another port does not count", () => {
    expect(targetHealthVerdict([{ id: "i-1", port: 5001, state: "healthy" }], expected)).toEqual(wait("target i-1:5002 is not registered yet"));
  });
  it("unhealthy with reason and description", () => {
    const views = [
      {
        id: "i-1",
        port: 5002,
        state: "unhealthy" as const,
        reason: "Target.ResponseCodeMismatch",
        description: "Health checks failed with these codes: [503]",
      },
    ];
    expect(targetHealthVerdict(views, expected)).toEqual(
      wait("target i-1:5002 is unhealthy (Target.ResponseCodeMismatch: Health checks failed with these codes: [503])"),
    );
  });
  it("initial with reason only; empty description ignored", () => {
    const views = [{ id: "i-1", port: 5002, state: "initial" as const, reason: "Elb.RegistrationInProgress", description: "" }];
    expect(targetHealthVerdict(views, expected)).toEqual(wait("target i-1:5002 is initial (Elb.RegistrationInProgress)"));
  });
  it("draining without reason", () => {
    expect(targetHealthVerdict([{ id: "i-1", port: 5002, state: "draining" }], expected)).toEqual(wait("target i-1:5002 is draining"));
  });
  it("reports the first bad target in expected order", () => {
    const views = [
      { id: "i-2", port: 5002, state: "unhealthy" as const },
      { id: "i-1", port: 5002, state: "initial" as const },
    ];
    expect(targetHealthVerdict(views, expected)).toEqual(wait("target i-1:5002 is initial"));
  });
});

describe("webhookVerdict", () => {
  const url = "https://bot.example.com/telegram/green";
  const expectation = { url, since: 1_700_000_000, maxPendingUpdates: 10 };
  const info = (over: Partial<WebhookInfo>): WebhookInfo => ({ url, hasCustomCertificate: false, pendingUpdateCount: 0, ...over });
  it.each<[string, WebhookInfo, Verdict]>([
    ["fine", info({}), OK],
    ["deleted", info({ url: "" }), fail("the webhook was deleted behind our back")],
    ["moved", info({ url: "https://evil.example.com/x" }), fail("the webhook was moved to https://evil.example.com/x behind our back")],
    ["error before the cutover is not ours", info({ lastErrorDate: 1_699_999_999, lastErrorMessage: "Wrong response from the webhook: 502 Bad Gateway" }), OK],
    [
      "error at the cutover second is ours",
      info({ lastErrorDate: 1_700_000_000, lastErrorMessage: "Wrong response from the webhook: 502 Bad Gateway" }),
      fail("Telegram reports webhook delivery errors since the cutover: Wrong response from the webhook: 502 Bad Gateway"),
    ],
    ["error without message", info({ lastErrorDate: 1_700_000_100 }), fail("Telegram reports webhook delivery errors since the cutover: unknown error")],
    ["pending at the limit", info({ pendingUpdateCount: 10 }), OK],
    ["pending above the limit (a miss: a backlog may drain)", info({ pendingUpdateCount: 11 }), wait("11 updates are waiting for delivery (limit 10)")],
    ["url checked first", info({ url: "", pendingUpdateCount: 99 }), fail("the webhook was deleted behind our back")],
  ])("%s", (_n, i, verdict) => {
    expect(webhookVerdict(i, expectation)).toEqual(verdict);
  });
});

describe("memoryVerdict", () => {
  const MiB = 2 ** 20;
  it.each<[string, number | null, number, Verdict]>([
    ["unknown usage", null, 380 * MiB, OK],
    ["below", 100 * MiB, 380 * MiB, OK],
    ["exactly at the limit", 380 * MiB, 380 * MiB, OK],
    ["above", 380 * MiB + 1, 380 * MiB, fail("container bot-green uses 380.0 MiB, above the 380 MiB limit", "memory")],
    ["well above", 400.55 * MiB, 380 * MiB, fail("container bot-green uses 400.6 MiB, above the 380 MiB limit", "memory")],
  ])("%s", (_n, used, max, verdict) => {
    expect(memoryVerdict("bot-green", used, max)).toEqual(verdict);
  });
});

describe("combine", () => {
  it.each<[string, Verdict[], Verdict]>([
    ["empty", [], OK],
    ["all ok", [OK, OK], OK],
    ["wait over ok", [OK, wait("w1"), wait("w2")], wait("w1")],
    ["fail over wait, whatever the order", [wait("w1"), OK, fail("f1"), fail("f2")], fail("f1")],
    ["OOM over memory over restart, whatever the order", [fail("r", "restart"), fail("m", "memory"), fail("o", "oom"), fail("h", "health")], fail("o", "oom")],
    ["memory over restart", [fail("r", "restart"), wait("w"), fail("m", "memory")], fail("m", "memory")],
    ["restart over health", [fail("h", "health"), fail("r", "restart")], fail("r", "restart")],
    ["a fail with a cause over one without (webhook)", [fail("the webhook was deleted behind our back"), fail("h", "health")], fail("h", "health")],
    ["ties keep the given order", [fail("r1", "restart"), fail("r2", "restart")], fail("r1", "restart")],
  ])("%s", (_n, vs, verdict) => {
    expect(combine(vs)).toEqual(verdict);
  });

  it("is the same whichever order the checks of one round come in", () => {
    const round = [fail("i-1: restarted", "restart"), fail("i-2: uses 300 MiB", "memory"), wait("i-1: GET /health failed"), fail("i-2: OOM-killed", "oom")];
    for (let i = 0; i < round.length; i++) {
      const rotated = [...round.slice(i), ...round.slice(0, i)];
      expect(combine(rotated)).toEqual(fail("i-2: OOM-killed", "oom"));
      expect(combine([...rotated].reverse())).toEqual(fail("i-2: OOM-killed", "oom"));
    }
  });
});

describe("onHost", () => {
  it("prefixes the reason with the host and keeps the cause", () => {
    expect(onHost("i-1", fail("container x was OOM-killed", "oom"))).toEqual(fail("i-1: container x was OOM-killed", "oom"));
    expect(onHost("i-1", wait("slow"))).toEqual(wait("i-1: slow"));
    expect(onHost("i-1", OK)).toEqual(OK);
  });
});
