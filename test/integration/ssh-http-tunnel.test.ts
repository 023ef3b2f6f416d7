import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SshConnector } from "../../src/adapters/ssh.js";
import { NotListeningError, type RemoteHost } from "../../src/ports.js";
import { descendantsOf, pidOwningTcpSocket, type SshdHandle, startSshd } from "../helpers/sshd.js";

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      resolve(typeof address === "object" && address ? address.port : 0);
    });
  });
}

describe("SshHost.httpRequest through an SSH tunnel", () => {
  let sshd: SshdHandle | undefined;
  let host: RemoteHost | undefined;
  let server: Server | undefined;
  let port = 0;
  const sockets = new Set<Socket>();
  const seenRemotePorts: number[] = [];
  const seenOwners: (number | undefined)[] = [];
  const h = () => {
    if (!host) throw new Error("not connected");
    return host;
  };

  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res: ServerResponse) => {
      seenRemotePorts.push(req.socket.remotePort ?? 0);
      seenOwners.push(pidOwningTcpSocket(req.socket.remotePort ?? 0, req.socket.localPort));
      if (req.url === "/hang") return; // never answers: the client's deadline must end it
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        res.writeHead(req.url === "/health" ? 200 : 201, { "content-type": "application/json" });
        res.end(
          JSON.stringify({
            method: req.method,
            url: req.url,
            test: req.headers["x-test"] ?? null,
            length: req.headers["content-length"] ?? null,
            body: Buffer.concat(chunks).toString("utf8"),
          }),
        );
      });
    });
    server.on("connection", (s: Socket) => {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
    });
    port = await listen(server);
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
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  });

  it("GETs a port on the host's loopback", async () => {
    expect(await h().httpRequest(port, "/health")).toEqual({
      status: 200,
      body: JSON.stringify({ method: "GET", url: "/health", test: null, length: null, body: "" }),
    });
  });

  it("sends method, headers and a UTF-8 body", async () => {
    const body = JSON.stringify({ update_id: 1, message: { text: "héllo 😀" } });
    const res = await h().httpRequest(port, "/telegram/green?x=1", { method: "POST", body, headers: { "x-test": "yes" } });
    expect(res).toEqual({
      status: 201,
      body: JSON.stringify({
        method: "POST",
        url: "/telegram/green?x=1",
        test: "yes",
        length: String(Buffer.byteLength(body)),
        body,
      }),
    });
  });

  it("arrives from sshd's session process (the tunnel), one connection per request", async () => {
    const before = seenRemotePorts.length;
    await h().httpRequest(port, "/health");
    await h().httpRequest(port, "/health");
    expect(seenRemotePorts.length).toBe(before + 2);
    expect(seenRemotePorts[before]).not.toBe(seenRemotePorts[before + 1]);
    const sessions = descendantsOf(sshd?.pid ?? 0);
    const owners = seenOwners.slice(before);
    expect(owners.map((pid) => pid !== undefined && sessions.includes(pid))).toEqual([true, true]);
    expect(owners).not.toContain(process.pid);
  });

  it("times out a request that never gets an answer", async () => {
    await expect(h().httpRequest(port, "/hang", { timeoutMs: 300 })).rejects.toThrow(`GET http://127.0.0.1:${port}/hang via ${h().name} timed out after 300ms`);
    // The tunnel is still fine afterwards.
    expect((await h().httpRequest(port, "/health")).status).toBe(200);
  });

  it("reports a port nobody listens on", async () => {
    const closed = createServer();
    const closedPort = await listen(closed);
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const e = await h()
      .httpRequest(closedPort, "/health", { timeoutMs: 5_000 })
      .catch((x: unknown) => x);
    expect((e as Error).message).toBe(`GET http://127.0.0.1:${closedPort}/health via ${h().name} failed: (SSH) Channel open failure: Connection refused`);
    // Typed: the gates' first check waits for a starting bot on exactly this (#17).
    expect(e).toBeInstanceOf(NotListeningError);
  });
});
