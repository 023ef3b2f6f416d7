// The first gate check of a container this run just started waits for its port to listen (#17,
// listen-wait.ts): a refused connection is asked again quickly, within gates.interval and never past
// gates.timeout, so a bot that binds its port a few hundred ms after `docker run` passes that check
// then instead of failing it (one more round, and an inspect per host). Anything else (a 500, a
// crashed or restarted container) still fails the attempt as before. Driven on the stateful fakes;
// the gates wait in real time, so every bound below is a lower bound or a count, never "fast enough".
import { createServer, type Socket } from "node:net";
import { describe, expect, it } from "vitest";
import { httpExchange, notListening, refused } from "../../src/adapters/ssh-http.js";
import { GateFailedError } from "../../src/errors.js";
import { waitForGates } from "../../src/orchestrator/gates.js";
import { awaitsListening, LISTEN_RETRY, listenPolls } from "../../src/orchestrator/listen-wait.js";
import { type HttpResponse, NotListeningError, type RemoteHost, type WebhookInfo } from "../../src/ports.js";
import { GOAL } from "../fakes/argv-ctx.js";
import { fakeEnvironment } from "../fakes/release-world.js";
import type { FakeContainer, FakeHost } from "../fakes/world.js";

const BEFORE: WebhookInfo = { url: "https://bot.example.com/telegram/blue", hasCustomCertificate: false, pendingUpdateCount: 0 };
const GREEN = "telegram-bot-green";

/** Green just staged on both hosts (registered in its group), blue live; every /health request and gate event timed from `t0`. */
function gatesWorld(timing: { intervalMs: number; timeoutMs: number }) {
  const env = fakeEnvironment();
  env.settings.gates = { ...env.settings.gates, ...timing, healthyThreshold: 2 };
  for (const h of env.hosts) {
    env.runOn(h, "blue", "r1", "blue-image");
    env.runOn(h, "green", GOAL.releaseId, GOAL.image);
  }
  env.lb.registered.set(
    env.groups.green.arn,
    env.hosts.map((h) => ({ id: h.instanceId, port: env.settings.hostPorts.green })),
  );
  env.telegram.info = { ...BEFORE };
  const t0 = Date.now();
  /** Per host: when each /health request was made and how it ended. */
  const requests = new Map<string, { at: number; outcome: string }[]>();
  env.ctx.hosts = env.ctx.hosts.map((h) => {
    const log: { at: number; outcome: string }[] = [];
    requests.set(h.instanceId, log);
    const remote: RemoteHost = {
      name: h.remote.name,
      exec: (argv, opts) => h.remote.exec(argv, opts),
      httpRequest: async (port, path, opts): Promise<HttpResponse> => {
        const at = Date.now() - t0;
        try {
          const res = await h.remote.httpRequest(port, path, opts);
          log.push({ at, outcome: String(res.status) });
          return res;
        } catch (e) {
          log.push({ at, outcome: e instanceof Error ? e.name : "error" });
          throw e;
        }
      },
      close: () => h.remote.close(),
    };
    return { ...h, remote };
  });
  /** Failed gate attempts as the operator sees them (gates info events other than a pass's "healthy 1/2"), with when they came. */
  const failedAttempts: { at: number; message: string }[] = [];
  env.ctx.reporter = {
    step: (e) => {
      env.events.push(e);
      const message = e.message ?? "";
      if (e.step === "gates" && e.status === "info" && !/^healthy \d+\/\d+$/.test(message)) failedAttempts.push({ at: Date.now() - t0, message });
    },
  };
  const green = (h: FakeHost): FakeContainer => {
    const c = h.containers.get(GREEN);
    if (c === undefined) throw new Error("green runs on every host");
    return c;
  };
  const host = (i: number): FakeHost => {
    const h = env.hosts[i];
    if (h === undefined) throw new Error("two hosts");
    return h;
  };
  const inspects = (i: number) => host(i).log.filter((argv) => argv[0] === "docker" && argv[1] === "inspect").length;
  const gates = (startedThisRun: boolean) => waitForGates(env.ctx, GOAL, BEFORE, "blue", { startedThisRun });
  return { ...env, t0, requests, failedAttempts, green, host, inspects, gates };
}

describe("a refusal is typed where the request is made (the port's contract: NotListeningError)", () => {
  const error = (message: string, extra: Record<string, unknown>) => Object.assign(new Error(message), extra);
  it.each([
    [error("connect ECONNREFUSED 127.0.0.1:5002", { code: "ECONNREFUSED" }), true, "TCP: nothing bound to the port"],
    [error("(SSH) Channel open failure: Connection refused", { reason: 2 }), true, "through the tunnel: sshd could not connect (OpenSSH's strerror)"],
    [error("(SSH) Channel open failure: No route to host", { reason: 2 }), false, "sshd could not connect for another reason"],
    [error("(SSH) Channel open failure: administratively prohibited", { reason: 1 }), false, "the tunnel refused by sshd's policy"],
    [error("read ECONNRESET", { code: "ECONNRESET" }), false, "a bot that accepted, then dropped the connection"],
    [new Error("socket hang up"), false, "no code"],
  ])("%s -> %s (%s)", (e, is) => {
    expect(refused(e)).toBe(is);
  });

  it.each([
    [error("socket hang up", { code: "ECONNRESET" }), false, true, "accepted, closed before any answer: docker-proxy for a container not listening yet"],
    [error("read ECONNRESET", { code: "ECONNRESET" }), false, true, "reset before any answer"],
    [error("write EPIPE", { code: "EPIPE" }), false, true, "closed while the request was written"],
    [error("read ECONNRESET", { code: "ECONNRESET" }), true, false, "reset after its status line: the bot is there, and failed"],
    [error("connect ECONNREFUSED 127.0.0.1:5002", { code: "ECONNREFUSED" }), false, true, "refused"],
    [error("connect ETIMEDOUT", { code: "ETIMEDOUT" }), false, false, "no answer at all is a timeout, not a start"],
  ])("%s, answered %s -> %s (%s)", (e, answered, is) => {
    expect(notListening(e, answered)).toBe(is);
  });

  /** A loopback server that does `onSocket` with every connection; closed by the test. */
  async function tcpServer(onSocket: (socket: Socket) => void): Promise<{ port: number; close: () => Promise<void> }> {
    const server = createServer(onSocket);
    const port = await new Promise<number>((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as { port: number }).port)));
    return { port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
  }
  const get = (port: number) =>
    httpExchange({ host: "127.0.0.1", port, path: "/health", timeoutMs: 5000, describe: `GET http://127.0.0.1:${port}/health` }).catch((x: unknown) => x);

  it("a connection accepted and closed before any answer (docker-proxy's, while the container does not listen) rejects with NotListeningError", async () => {
    const s = await tcpServer((socket) => socket.destroy());
    try {
      const e = await get(s.port);
      expect(e).toBeInstanceOf(NotListeningError);
      expect((e as Error).message).toMatch(new RegExp(`^GET http://127\\.0\\.0\\.1:${s.port}/health failed: (socket hang up|read ECONNRESET)$`));
    } finally {
      await s.close();
    }
  });

  it("a connection closed after the status line is a failure of a bot that is there: a plain Error", async () => {
    const s = await tcpServer((socket) => {
      socket.once("data", () => {
        socket.write("HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\npartial");
        setTimeout(() => socket.destroy(), 20);
      });
    });
    try {
      const e = await get(s.port);
      expect(e).toBeInstanceOf(Error);
      expect(e).not.toBeInstanceOf(NotListeningError);
    } finally {
      await s.close();
    }
  });

  it("a TCP request to a closed loopback port rejects with NotListeningError", async () => {
    const server = createServer();
    const port = await new Promise<number>((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as { port: number }).port)));
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const e = await httpExchange({ host: "127.0.0.1", port, path: "/health", timeoutMs: 5000, describe: `GET http://127.0.0.1:${port}/health` }).catch(
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(NotListeningError);
    expect((e as Error).message).toBe(`GET http://127.0.0.1:${port}/health failed: connect ECONNREFUSED 127.0.0.1:${port}`);
  });
});

describe("awaitsListening: a gate attempt's /health waits for the port to listen when", () => {
  it.each([
    // healthChecked, firstAttempt, startedThisRun -> waits
    [true, true, true, true, "the first attempt on containers this run started"],
    [true, false, true, false, "a later attempt: a refusal now means the bot stopped listening (fail, inspect)"],
    [true, true, false, false, "containers an earlier run started (a resumed run): a refusal is an answer"],
    [false, true, true, false, "no /health to ask (a poller): the container is inspected every attempt"],
  ])("healthChecked %s, firstAttempt %s, startedThisRun %s -> %s (%s)", (healthChecked, firstAttempt, startedThisRun, waits) => {
    expect(awaitsListening({ healthChecked, firstAttempt, startedThisRun })).toBe(waits);
  });
});

describe("listenPolls: the most /health requests one wait makes", () => {
  it.each([
    [0, 1, "no window: the one request"],
    [50, 2, "the first, and one at the window's end"],
    [100, 2, "the first delay ends at the window's end"],
    [300, 4, "0, 100, 250 and the end (300)"],
    [1000, 6, "0, 100, 250, 475, 813 and the end"],
    [3000, 8, "0, 100, 250, 475, 813, 1319, 2078 and the end: once a second at most"],
  ])("window %i ms -> %i (%s)", (windowMs, polls) => {
    expect(listenPolls(windowMs)).toBe(polls);
  });

  it("backs off from 100 ms to once a second", () => {
    expect(LISTEN_RETRY).toEqual({ minTimeout: 100, factor: 1.5, maxTimeout: 1000 });
  });
});

describe("the first gate check of containers this run started waits for them to listen", () => {
  it("a bot listening 300 ms after its start passes its first check then: the gates pass in healthyThreshold attempts, one inspect per host", async () => {
    const w = gatesWorld({ intervalMs: 600, timeoutMs: 20_000 });
    w.green(w.host(0)).listensAt = w.t0 + 300;
    const read = await w.gates(true);
    expect([...read.keys()]).toEqual(["i-1", "i-2"]);
    expect(w.failedAttempts).toEqual([]);
    const i1 = w.requests.get("i-1") ?? [];
    // Refused until 300 ms, then 200 on the same first check (not a whole interval later), then the second attempt's.
    expect(i1.filter((r) => r.outcome === "NotListeningError").length).toBeGreaterThanOrEqual(1);
    const firstOk = i1.find((r) => r.outcome === "200");
    expect(firstOk?.at).toBeGreaterThanOrEqual(300);
    expect(i1.filter((r) => r.outcome === "200")).toHaveLength(2);
    // The host that listened at once is asked once per attempt.
    expect((w.requests.get("i-2") ?? []).map((r) => r.outcome)).toEqual(["200", "200"]);
    // Only the threshold's inspect: the first check did not fail, so nothing was inspected for it.
    expect([w.inspects(0), w.inspects(1)]).toEqual([1, 1]);
  });

  it("containers an earlier run started are not waited for: a refusal fails the first attempt at once, which inspects that host", async () => {
    const w = gatesWorld({ intervalMs: 600, timeoutMs: 20_000 });
    w.green(w.host(0)).listensAt = w.t0 + 300;
    await w.gates(false);
    expect(w.failedAttempts).toHaveLength(1);
    expect(w.failedAttempts[0]?.message).toMatch(/^i-1: GET \/health failed: connect ECONNREFUSED/);
    expect((w.requests.get("i-1") ?? [])[0]?.outcome).toBe("NotListeningError");
    // The failing attempt's inspect (a crash would have failed here), then the threshold's.
    expect([w.inspects(0), w.inspects(1)]).toEqual([2, 1]);
  });

  it("a port still refused at the end of the interval fails the first attempt then, and that attempt inspects the host", async () => {
    const w = gatesWorld({ intervalMs: 400, timeoutMs: 20_000 });
    w.green(w.host(0)).listensAt = w.t0 + 1000;
    await w.gates(true);
    expect(w.failedAttempts.length).toBeGreaterThanOrEqual(1);
    expect(w.failedAttempts[0]?.message).toMatch(/^i-1: GET \/health failed: connect ECONNREFUSED/);
    // It waited the interval (not less), and asked no more often than the back-off allows.
    expect(w.failedAttempts[0]?.at).toBeGreaterThanOrEqual(400 - 5);
    const firstAttempt = (w.requests.get("i-1") ?? []).filter((r) => r.at < (w.failedAttempts[0]?.at ?? 0));
    expect(firstAttempt.length).toBeGreaterThan(1);
    expect(firstAttempt.length).toBeLessThanOrEqual(listenPolls(400));
    expect(firstAttempt.every((r) => r.outcome === "NotListeningError")).toBe(true);
    // The failing attempt inspected i-1; i-2 only at the threshold.
    expect(w.inspects(0)).toBeGreaterThanOrEqual(2);
    expect(w.inspects(1)).toBe(1);
  });

  it("the wait ends at gates.timeout when that comes before the interval", async () => {
    const w = gatesWorld({ intervalMs: 60_000, timeoutMs: 500 });
    w.green(w.host(0)).listensAt = w.t0 + 120_000;
    const started = Date.now();
    const e = await w.gates(true).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(GateFailedError);
    expect((e as GateFailedError).message).toContain("did not pass its gates within 0.5s (gates.timeout, a hard deadline)");
    // Nowhere near the 60 s interval: a generous bound for a loaded machine.
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  it("a /health answering 500 fails the first attempt at once: one request, no waiting", async () => {
    const w = gatesWorld({ intervalMs: 1000, timeoutMs: 1500 });
    w.green(w.host(0)).healthStatus = 500;
    const e = await w.gates(true).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(GateFailedError);
    expect(w.failedAttempts[0]?.message).toBe("i-1: GET /health answered 500, expected 200");
    const beforeFailure = (w.requests.get("i-1") ?? []).filter((r) => r.at <= (w.failedAttempts[0]?.at ?? 0));
    expect(beforeFailure.map((r) => r.outcome)).toEqual(["500"]);
  });

  it.each<[string, Partial<FakeContainer>, RegExp]>([
    ["exited (crashed, no restart policy)", { running: false }, /^i-1: container telegram-bot-green exited with code 0/],
    [
      "restarted by docker after a crash, not listening again yet",
      { restartCount: 1, exits: [{ exitCode: 1, oom: false }] },
      /^i-1: container telegram-bot-green restarted 1 time\(s\) \(exit code 1\)/,
    ],
  ])("a container %s still fails the gates with its own reason, not the deadline", async (_what, fault, reason) => {
    const w = gatesWorld({ intervalMs: 300, timeoutMs: 20_000 });
    Object.assign(w.green(w.host(0)), { listensAt: w.t0 + 120_000, ...fault });
    const e = await w.gates(true).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(GateFailedError);
    expect((e as GateFailedError).message).toMatch(reason);
    expect((e as GateFailedError).message).not.toContain("did not pass its gates within");
    // Caught by the first attempt's inspect, after its wait: no second attempt.
    expect(w.failedAttempts).toEqual([]);
    expect(w.inspects(0)).toBe(1);
  });
});
