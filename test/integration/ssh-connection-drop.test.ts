import { createServer, type Server } from "node:http";
import type { Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HostConnectionError, SshConnector } from "../../src/adapters/ssh.js";
import type { RemoteHost } from "../../src/ports.js";
import { pidsRunning, type SshdHandle, startSshd, waitUntil } from "../helpers/sshd.js";

// Its own sshd: killing sessions here must not disturb the other suites.
describe("SshHost when the connection drops", () => {
  let sshd: SshdHandle | undefined;
  let host: RemoteHost | undefined;
  const argv = ["sleep", `654.${process.pid}`]; // unique, so the pids found below are ours
  let server: Server | undefined;
  let httpPort = 0;
  let requestArrived = false;
  const sockets = new Set<Socket>();

  beforeAll(async () => {
    // Receives a request and never answers, so it is in flight when the connection drops.
    server = createServer(() => {
      requestArrived = true;
    });
    server.on("connection", (s: Socket) => {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
    });
    httpPort = await new Promise<number>((resolve) => {
      server?.listen(0, "127.0.0.1", () => {
        const address = server?.address();
        resolve(typeof address === "object" && address ? address.port : 0);
      });
    });
    sshd = await startSshd();
    host = await new SshConnector({
      user: sshd.user,
      port: sshd.port,
      privateKeyPath: sshd.privateKeyPath,
      knownHostsText: sshd.knownHostsText,
      connectTimeoutMs: 10_000,
    }).connect({ instanceId: "i-0test", address: sshd.host });
  });

  afterAll(async () => {
    await host?.close();
    await sshd?.stop();
    for (const pid of pidsRunning(argv)) process.kill(pid, "SIGKILL");
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  });

  it("rejects the running command and request, then every later call, with HostConnectionError naming the host", async () => {
    const h = host;
    const d = sshd;
    if (!h || !d) throw new Error("not started");
    const running = h.exec(argv, { timeoutMs: 30_000 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    const request = h.httpRequest(httpPort, "/hang", { timeoutMs: 30_000 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    await waitUntil(() => pidsRunning(argv).length > 0, "the remote command to start", 10_000);
    await waitUntil(() => requestArrived, "the tunnelled request to arrive", 10_000);

    await d.killSessions(); // what a crashed host or a dropped network looks like to the client
    const err = await running;
    expect(err).toBeInstanceOf(HostConnectionError);
    expect((err as Error).message).toBe(`connection to ${h.name} was lost while running sleep`);
    expect((err as HostConnectionError).host).toBe(h.name);
    const httpErr = await request;
    expect(httpErr).toBeInstanceOf(HostConnectionError);
    expect((httpErr as Error).message).toBe(`connection to ${h.name} was lost during GET /hang`);

    await expect(h.exec(["true"])).rejects.toThrow(new HostConnectionError(`connection to ${h.name} was lost before running true`, h.name));
    await expect(h.httpRequest(80, "/health")).rejects.toThrow(new HostConnectionError(`connection to ${h.name} was lost before GET /health`, h.name));
    // close() after a drop is a no-op, not an error.
    await expect(h.close()).resolves.toBeUndefined();
  });
});
