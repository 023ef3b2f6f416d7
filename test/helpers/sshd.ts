// A private OpenSSH sshd for tests: its own host key, client key, config and port, so tests talk to
// the real server the product will meet in production, without touching the machine's sshd.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { fingerprintSha256 } from "../../src/adapters/host-keys.js";

const SSHD = "/usr/sbin/sshd";

export interface SshdOptions {
  /** Environment sshd sets for every session (sshd_config SetEnv). */
  setEnv?: Record<string, string>;
  /** Trust this client key (its .pub beside it) instead of a fresh one: several hosts, one key. */
  clientKeyPath?: string;
  /** Address to listen on; default 127.0.0.1. */
  listenAddress?: string;
  /** Fixed port (e.g. 22 inside a network namespace, where the root namespace cannot probe for a free one); default: a free port. */
  port?: number;
  /** Argv that runs sshd inside something, e.g. ["ip", "netns", "exec", "ns1"]; it must exec sshd (keep its pid). */
  commandPrefix?: string[];
}

export interface SshdHandle {
  host: string;
  port: number;
  /** The user tests log in as: the current user (root in CI). */
  user: string;
  privateKeyPath: string;
  hostKeyFingerprint: string;
  /** One known_hosts line for this server (`[host]:port ssh-ed25519 ...`). */
  knownHostsText: string;
  pid: number;
  /** sshd's own log (-e), for assertion messages. */
  logs(): string;
  /** Kill every session process (SIGKILL) but keep listening: a dropped connection, as the client sees it. */
  killSessions(): Promise<void>;
  stop(): Promise<void>;
}

/** Installs openssh-server when running as root, so a fresh CI box never silently skips SSH tests. */
export function ensureSshdInstalled(): void {
  if (existsSync(SSHD)) return;
  if (process.getuid?.() !== 0) throw new Error("sshd is not installed: run apt-get install -y openssh-server");
  const apt = (args: string[]) =>
    execFileSync("apt-get", ["-o", "DPkg::Lock::Timeout=300", ...args], {
      stdio: "ignore",
      env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
      timeout: 600_000,
    });
  try {
    apt(["install", "-y", "openssh-server"]);
  } catch {
    apt(["update"]);
    apt(["install", "-y", "openssh-server"]);
  }
  if (!existsSync(SSHD)) throw new Error("sshd is not installed: apt-get install -y openssh-server did not provide /usr/sbin/sshd");
}

async function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** All descendants of a pid, deepest last, read from /proc (session processes call setsid, so no process group covers them). */
export function descendantsOf(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // The process exited while we were looking.
    }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const c of children.get(p) ?? []) {
      out.push(c);
      walk(c);
    }
  };
  walk(pid);
  return out;
}

function killQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone.
  }
}

function configWord(word: string): string {
  if (/["\n\r]/.test(word)) throw new Error(`sshd SetEnv value cannot contain quotes or newlines: ${JSON.stringify(word)}`);
  return `"${word}"`;
}

function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

export async function startSshd(opts: SshdOptions = {}): Promise<SshdHandle> {
  ensureSshdInstalled();
  const host = opts.listenAddress ?? "127.0.0.1";
  const dir = mkdtempSync(join(tmpdir(), "bluegreen-sshd-"));
  try {
    const keygen = (file: string) => execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "", "-f", join(dir, file)]);
    keygen("host_ed25519");
    const clientKey = opts.clientKeyPath ?? join(dir, "id_ed25519");
    if (opts.clientKeyPath === undefined) keygen("id_ed25519");
    writeFileSync(join(dir, "authorized_keys"), readFileSync(`${clientKey}.pub`));
    const hostPub = readFileSync(join(dir, "host_ed25519.pub"), "utf8").trim().split(" ");
    const hostBlob = Buffer.from(hostPub[1] ?? "", "base64");
    // sshd's privilege-separation directory; the distro's init script normally makes it.
    try {
      mkdirSync("/run/sshd", { recursive: true, mode: 0o755 });
    } catch {
      // Not root: sshd will say clearly if it needs the directory.
    }

    const deadline = Date.now() + 20_000;
    let lastError = "";
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const port = opts.port ?? (await freePort(host));
      const listen = host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
      const setEnv = Object.entries(opts.setEnv ?? {}).map(([k, v]) => configWord(`${k}=${v}`));
      const config = [
        `ListenAddress ${listen}`,
        `HostKey ${join(dir, "host_ed25519")}`,
        `AuthorizedKeysFile ${join(dir, "authorized_keys")}`,
        "PermitRootLogin prohibit-password",
        "PasswordAuthentication no",
        "KbdInteractiveAuthentication no",
        "UsePAM no",
        "StrictModes no",
        "AllowTcpForwarding yes",
        `PidFile ${join(dir, "sshd.pid")}`,
        ...(setEnv.length > 0 ? [`SetEnv ${setEnv.join(" ")}`] : []),
      ].join("\n");
      writeFileSync(join(dir, "sshd_config"), `${config}\n`);

      const argv = [...(opts.commandPrefix ?? []), SSHD, "-D", "-e", "-f", join(dir, "sshd_config")];
      const child = spawn(argv[0] ?? SSHD, argv.slice(1), { stdio: ["ignore", "ignore", "pipe"] });
      let log = "";
      child.stderr?.on("data", (chunk: Buffer) => {
        log = (log + chunk.toString("utf8")).slice(-65_536);
      });
      const pid = child.pid;
      if (pid === undefined) throw new Error("could not spawn /usr/sbin/sshd");

      while (Date.now() < deadline && child.exitCode === null && child.signalCode === null) {
        if (await canConnect(host, port)) {
          const handle: SshdHandle = {
            host,
            port,
            user: userInfo().username,
            privateKeyPath: clientKey,
            hostKeyFingerprint: fingerprintSha256(hostBlob),
            knownHostsText: `[${host}]:${port} ${hostPub[0]} ${hostPub[1]}\n`,
            pid,
            logs: () => log,
            killSessions: async () => {
              for (const p of descendantsOf(pid)) killQuietly(p, "SIGKILL");
            },
            stop: async () => {
              for (const p of descendantsOf(pid)) killQuietly(p, "SIGKILL");
              killQuietly(pid, "SIGTERM");
              if (!(await waitForExit(child, 5_000))) {
                killQuietly(pid, "SIGKILL");
                await waitForExit(child, 5_000);
              }
              rmSync(dir, { recursive: true, force: true });
            },
          };
          return handle;
        }
        await new Promise((r) => setTimeout(r, 25));
      }
      killQuietly(pid, "SIGKILL");
      await waitForExit(child, 5_000);
      lastError = log.trim() || "sshd did not accept connections before the deadline";
      if (Date.now() >= deadline) break;
    }
    throw new Error(`private sshd did not start: ${lastError}`);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

/** Pids whose command line is exactly `argv` (read from /proc): to see what the "remote" host runs. */
export function pidsRunning(argv: readonly string[]): number[] {
  const wanted = `${argv.join("\0")}\0`;
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, "utf8") === wanted) found.push(Number(entry));
    } catch {
      // Exited meanwhile.
    }
  }
  return found;
}

/** Polls `check` every 20 ms until it is true; throws naming `what` at the deadline. */
export async function waitUntil(check: () => boolean | Promise<boolean>, what: string, deadlineMs = 5_000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${deadlineMs}ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The pid holding the IPv4 TCP socket bound to 127.0.0.1:<localPort> (from /proc/net/tcp): who made a connection. */
export function pidOwningTcpSocket(localPort: number, remotePort?: number): number | undefined {
  const hex = (port: number) => `0100007F:${port.toString(16).toUpperCase().padStart(4, "0")}`;
  // The whole connection (both ends), and a socket some process still holds (inode not 0): a busy
  // run reuses ephemeral ports, and a TIME_WAIT row of an earlier connection from the same local
  // port (inode 0, listed first) once stood in for this one and made its owner unknown.
  const row = readFileSync("/proc/net/tcp", "utf8")
    .split("\n")
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .find((cols) => cols[1] === hex(localPort) && (remotePort === undefined || cols[2] === hex(remotePort)) && cols[9] !== "0");
  const inode = row?.[9];
  if (!inode || inode === "0") return undefined;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      for (const fd of readdirSync(`/proc/${entry}/fd`)) {
        if (readlinkSync(`/proc/${entry}/fd/${fd}`) === `socket:[${inode}]`) return Number(entry);
      }
    } catch {
      // Exited meanwhile, or not ours to read.
    }
  }
  return undefined;
}
