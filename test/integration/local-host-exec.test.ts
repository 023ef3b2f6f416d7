import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CallCounter } from "../../src/adapters/call-count.js";
import { LocalHostConnector } from "../../src/adapters/local-host.js";
import { HostCommandTimeoutError, HostConnectionError } from "../../src/adapters/ssh-errors.js";
import type { RemoteHost } from "../../src/ports.js";
import { ShellQuoteError } from "../../src/remote/quote.js";
import { pidsRunning, waitUntil } from "../helpers/sshd.js";

describe("LocalHostConnector (the sandbox transport)", () => {
  let dir = "";
  let host: RemoteHost | undefined;
  let server: Server | undefined;
  let port = 0;
  const sockets = new Set<Socket>();
  const sleepArgv = ["sleep", `321.${process.pid}`]; // unique, so the pids found below are ours
  const h = () => {
    if (!host) throw new Error("not connected");
    return host;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "local-host-"));
    // A stand-in for the sandbox's docker shim: shows what environment and argv it received.
    writeFileSync(join(dir, "docker"), `#!/bin/sh\nprintf '%s|%s|%s\\n' "$BLUEGREEN_SANDBOX_HOST" "$BLUEGREEN_SANDBOX_STATE" "$*"\n`);
    chmodSync(join(dir, "docker"), 0o755);
    const connector = new LocalHostConnector({
      env: { PATH: `${dir}:${process.env.PATH ?? "/usr/bin:/bin"}`, BLUEGREEN_SANDBOX_STATE: join(dir, "state") },
      hostEnvVar: "BLUEGREEN_SANDBOX_HOST",
    });
    host = await connector.connect({ instanceId: "i-0local1", address: "127.0.1.1" });

    server = createServer((req: IncomingMessage, res: ServerResponse) => {
      if (req.url === "/hang") return;
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        res.writeHead(200, { "content-type": "text/plain" });
        res.end(`${req.method} ${req.url} ${req.socket.localAddress} ${Buffer.concat(chunks).toString("utf8")}`);
      });
    });
    server.on("connection", (s: Socket) => {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
    });
    port = await new Promise<number>((resolve) => {
      server?.listen(0, "127.0.1.1", () => {
        const address = server?.address();
        resolve(typeof address === "object" && address ? address.port : 0);
      });
    });
  });

  afterAll(async () => {
    for (const pid of pidsRunning(sleepArgv)) process.kill(pid, "SIGKILL");
    await host?.close();
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  it("is named after the sandbox address", () => {
    expect(h().name).toBe("local:127.0.1.1");
  });

  it("runs argv without a shell: metacharacters stay literal", async () => {
    const words = ["$(echo pwned)", "`id`", "a;b|c&d", "*", "$HOME", "it's", "a b", ""];
    expect(await h().exec(["printf", "[%s]\\n", ...words])).toEqual({
      code: 0,
      stdout: words.map((w) => `[${w}]\n`).join(""),
      stderr: "",
    });
  });

  it("passes the extra env, PATH first, and the target's address", async () => {
    expect(await h().exec(["docker", "run", "--name", "bot-green"])).toEqual({
      code: 0,
      stdout: `127.0.1.1|${join(dir, "state")}|run --name bot-green\n`,
      stderr: "",
    });
  });

  it("returns exit codes, stderr and stdin like the SSH transport", async () => {
    expect(await h().exec(["sh", "-c", "echo out; echo err >&2; exit 4"])).toEqual({ code: 4, stdout: "out\n", stderr: "err\n" });
    expect(await h().exec(["cat"], { stdin: "héllo\nworld" })).toEqual({ code: 0, stdout: "héllo\nworld", stderr: "" });
    expect(await h().exec(["cat"], { timeoutMs: 5_000 })).toEqual({ code: 0, stdout: "", stderr: "" });
    expect(await h().exec(["sh", "-c", "kill -TERM $$"])).toEqual({ code: 143, stdout: "", stderr: "" });
    expect(await h().exec(["no-such-program-xyz"])).toEqual({
      code: 127,
      stdout: "",
      stderr: "no-such-program-xyz: command not found\n",
    });
    await expect(h().exec(["echo", "a\0b"])).rejects.toThrow(ShellQuoteError);
  });

  it("kills the command and its children at the timeout", async () => {
    const running = h()
      .exec(["sh", "-c", `${sleepArgv.join(" ")}; echo never`], { timeoutMs: 1_500 })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    await waitUntil(() => pidsRunning(sleepArgv).length > 0, "the child sleep to start");
    const err = await running;
    expect(err).toBeInstanceOf(HostCommandTimeoutError);
    expect((err as Error).message).toBe("command `sh` on local:127.0.1.1 timed out after 1500ms; it was killed");
    await waitUntil(() => pidsRunning(sleepArgv).length === 0, "the child sleep to be killed with its group");
  });

  it("makes HTTP requests to the target's address, with a deadline", async () => {
    expect(await h().httpRequest(port, "/health", { method: "POST", body: "ping" })).toEqual({
      status: 200,
      body: "POST /health 127.0.1.1 ping",
    });
    await expect(h().httpRequest(port, "/hang", { timeoutMs: 300 })).rejects.toThrow(`GET http://127.0.1.1:${port}/hang timed out after 300ms`);
  });

  it("refuses work after close()", async () => {
    const other = await new LocalHostConnector({ env: {} }).connect({ instanceId: "i-0local2", address: "127.0.1.2" });
    await other.close();
    await expect(other.exec(["true"])).rejects.toThrow(
      new HostConnectionError("connection to local:127.0.1.2 is closed (close() was called)", "local:127.0.1.2"),
    );
  });
  it("adds the simulated round trip (latencyMs) before every command and HTTP request, and counts them", async () => {
    const calls = new CallCounter();
    const slow = await new LocalHostConnector({ env: {}, latencyMs: 120, calls }).connect({ instanceId: "i-0local2", address: "127.0.1.1" });
    const t0 = performance.now();
    expect((await slow.exec(["true"])).code).toBe(0);
    const execMs = performance.now() - t0;
    const t1 = performance.now();
    expect((await slow.httpRequest(port, "/echo")).status).toBe(200);
    const httpMs = performance.now() - t1;
    expect(execMs).toBeGreaterThanOrEqual(115);
    expect(httpMs).toBeGreaterThanOrEqual(115);
    expect(calls.snapshot()).toMatchObject({ host: { "local:127.0.1.1": 1 }, hostHttp: { "local:127.0.1.1": 1 }, depth: 2 });
    await slow.close();
  });
});
