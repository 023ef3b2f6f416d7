import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fingerprintSha256 } from "../../src/adapters/host-keys.js";
import { HostConnectionError, HostKeyError, SshConnector, type SshConnectorOptions } from "../../src/adapters/ssh.js";
import { type SshdHandle, startSshd, waitUntil } from "../helpers/sshd.js";

describe("SshConnector host-key checks and authentication against a real sshd", () => {
  let sshd: SshdHandle;
  let dir: string;
  let agent: ChildProcess | undefined;
  let otherKeyB64 = "";
  let otherFp = "";

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "ssh-host-keys-"));
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "", "-f", join(dir, "other")]);
    otherKeyB64 = readFileSync(join(dir, "other.pub"), "utf8").split(" ")[1] ?? "";
    otherFp = fingerprintSha256(Buffer.from(otherKeyB64, "base64"));
    sshd = await startSshd();
  });

  afterAll(async () => {
    if (agent?.pid !== undefined) agent.kill("SIGKILL");
    await sshd?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const target = () => ({ instanceId: "i-0test", address: sshd.host });
  const connector = (o: Partial<SshConnectorOptions>) =>
    new SshConnector({ user: sshd.user, port: sshd.port, privateKeyPath: sshd.privateKeyPath, connectTimeoutMs: 10_000, ...o });
  const name = () => `${sshd.user}@127.0.0.1:${sshd.port}`;
  const acceptedLogins = () => sshd.logs().split("Accepted publickey").length - 1;

  /** Connects and, if that (wrongly) succeeded, would create a marker file on the host. */
  async function refusedBeforeAnyCommand(c: SshConnector): Promise<HostKeyError> {
    const marker = join(dir, `marker-${Math.random().toString(36).slice(2)}`);
    const loginsBefore = acceptedLogins();
    const err = await c
      .connect(target())
      .then((h) => h.exec(["touch", marker]))
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(err).toBeInstanceOf(HostKeyError);
    expect(existsSync(marker)).toBe(false);
    expect(acceptedLogins()).toBe(loginsBefore); // refused in the handshake, before authentication
    return err as HostKeyError;
  }

  const unknownMessage = () =>
    `host key for 127.0.0.1:${sshd.port} is not known (${sshd.hostKeyFingerprint}): add it with ` +
    `\`ssh-keyscan -p ${sshd.port} 127.0.0.1 >> known_hosts\` after checking the fingerprint out of band, ` +
    `or set hosts.ssh.hostKeyFingerprint: ${sshd.hostKeyFingerprint}`;

  it("accepts the key listed in known_hosts and runs commands", async () => {
    const before = acceptedLogins();
    const host = await connector({ knownHostsText: sshd.knownHostsText }).connect(target());
    try {
      expect(host.name).toBe(name());
      expect(await host.exec(["echo", "ok"])).toEqual({ code: 0, stdout: "ok\n", stderr: "" });
      await waitUntil(() => acceptedLogins() === before + 1, "sshd to log the accepted login");
    } finally {
      await host.close();
    }
  });

  it("accepts what `ssh-keyscan` writes, plain and hashed with `ssh-keygen -H`", async () => {
    const scanned = execFileSync("ssh-keyscan", ["-p", String(sshd.port), "-t", "ed25519", "127.0.0.1"], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    });
    expect(scanned).toBe(sshd.knownHostsText);
    const file = join(dir, "known_hosts");
    writeFileSync(file, scanned);
    execFileSync("ssh-keygen", ["-q", "-H", "-f", file], { stdio: "ignore" });
    const hashed = readFileSync(file, "utf8");
    expect(hashed.startsWith("|1|")).toBe(true);
    for (const knownHostsText of [scanned, hashed]) {
      const host = await connector({ knownHostsText }).connect(target());
      expect(await host.exec(["true"])).toEqual({ code: 0, stdout: "", stderr: "" });
      await host.close();
    }
  });

  it("refuses an unknown key (no policy, or known_hosts about other hosts) before any command", async () => {
    for (const policy of [{}, { knownHostsText: `10.0.1.5 ssh-ed25519 ${otherKeyB64}\n` }]) {
      const err = await refusedBeforeAnyCommand(connector(policy));
      expect(err.message).toBe(unknownMessage());
      expect([err.reason, err.source, err.host, err.offeredFingerprint]).toEqual(["unknown", "user", name(), sshd.hostKeyFingerprint]);
    }
  });

  it("refuses a changed key before any command", async () => {
    const knownHostsText = `# pinned at build time\n[127.0.0.1]:${sshd.port} ssh-ed25519 ${otherKeyB64}\n`;
    const err = await refusedBeforeAnyCommand(connector({ knownHostsText }));
    expect(err.message).toBe(
      `host key for 127.0.0.1:${sshd.port} CHANGED: offered ${sshd.hostKeyFingerprint}, known_hosts has ${otherFp} ` +
        "— possible man-in-the-middle; if the host was rebuilt, verify and replace its line in known_hosts (line 2)",
    );
    expect([err.reason, err.source]).toEqual(["changed", "world"]);
  });

  it("refuses a revoked key even when it is also listed", async () => {
    const hostKeyB64 = sshd.knownHostsText.trim().split(" ")[2];
    const knownHostsText = `${sshd.knownHostsText}@revoked * ssh-ed25519 ${hostKeyB64}\n`;
    const err = await refusedBeforeAnyCommand(connector({ knownHostsText }));
    expect(err.message).toBe(
      `host key for 127.0.0.1:${sshd.port} is REVOKED (${sshd.hostKeyFingerprint}): known_hosts marks it @revoked (line 2); ` +
        "refusing to connect — the host needs a new key",
    );
  });

  it("accepts a matching fingerprint pin and refuses a different one", async () => {
    const host = await connector({ hostKeyFingerprint: sshd.hostKeyFingerprint }).connect(target());
    expect(await host.exec(["echo", "pinned"])).toEqual({ code: 0, stdout: "pinned\n", stderr: "" });
    await host.close();

    const err = await refusedBeforeAnyCommand(connector({ hostKeyFingerprint: otherFp }));
    expect(err.message).toBe(
      `host key for 127.0.0.1:${sshd.port} CHANGED: offered ${sshd.hostKeyFingerprint}, hosts.ssh.hostKeyFingerprint pins ${otherFp} ` +
        "— possible man-in-the-middle; if the host was rebuilt, verify and update hosts.ssh.hostKeyFingerprint",
    );
  });

  it("reports failed authentication and a closed port as HostConnectionError", async () => {
    const noKey = connector({ knownHostsText: sshd.knownHostsText, privateKeyPath: join(dir, "other") });
    const authErr = await noKey.connect(target()).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(authErr).toBeInstanceOf(HostConnectionError);
    expect((authErr as Error).message).toBe(`cannot connect to ${name()}: All configured authentication methods failed`);

    const closedPort = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, "127.0.0.1", () => {
        const address = probe.address();
        probe.close(() => resolve(typeof address === "object" && address ? address.port : 0));
      });
    });
    const refused = new SshConnector({ user: "root", port: closedPort, connectTimeoutMs: 5_000 });
    const connErr = await refused.connect(target()).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(connErr).toBeInstanceOf(HostConnectionError);
    expect((connErr as Error).message).toBe(`cannot connect to root@127.0.0.1:${closedPort}: connect ECONNREFUSED 127.0.0.1:${closedPort}`);
  });

  it("authenticates through an ssh-agent socket", async () => {
    const sock = join(dir, "agent.sock");
    agent = spawn("ssh-agent", ["-D", "-a", sock], { stdio: "ignore" });
    await waitUntil(() => existsSync(sock), "ssh-agent to create its socket");
    execFileSync("ssh-add", ["-q", sshd.privateKeyPath], { env: { ...process.env, SSH_AUTH_SOCK: sock }, stdio: "ignore" });
    const host = await connector({ privateKeyPath: undefined, agent: sock, knownHostsText: sshd.knownHostsText }).connect(target());
    expect(await host.exec(["echo", "via agent"])).toEqual({ code: 0, stdout: "via agent\n", stderr: "" });
    await host.close();
  });
});
