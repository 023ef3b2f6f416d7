// "EC2 hosts" for the real-Docker tier: each is a network namespace with its own address, a real
// OpenSSH sshd (port 22, host key pinned by the tests) and a real dockerd (own data root, socket,
// iptables), so the CLI meets what it meets in production: a shell over SSH and a Docker engine.
// Everything is torn down by pid and by name, also when bring-up fails halfway.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { appendFileSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { addHostNamespace, claimSlot, killQuietly, pidsInNetns, type Slot, unmountUnder } from "./e2e-net.js";
import { type SshdHandle, startSshd } from "./sshd.js";

export const DOCKER = "/usr/bin/docker";
const REQUIRED: Record<string, string> = {
  "/usr/sbin/dockerd": "docker.io",
  "/usr/bin/docker": "docker.io",
  "/usr/sbin/iptables": "iptables",
  "/usr/bin/docker-registry": "docker-registry",
  "/usr/sbin/sshd": "openssh-server",
  "/usr/bin/nsenter": "util-linux",
  "/usr/sbin/ip": "iproute2",
};

export interface E2eHost {
  index: number;
  ns: string;
  address: string;
  dockerHost: string;
  sshd: SshdHandle;
  dockerdPid: number;
  /** Runs the docker CLI against this host's engine (from the test process, not over SSH). */
  docker(args: string[], opts?: { input?: string; timeoutMs?: number }): string;
  dockerdLog(): string;
}

export interface E2eHosts {
  slot: Slot;
  gateway: string;
  hosts: E2eHost[];
  /** A path that is a different directory on every host (bind-mounted in each sshd's own mount namespace): envFileDir and lock.dir live under it. */
  hostFs: string;
  stop(): Promise<void>;
}

/** Installs what the tier needs when root (apt-get update only if the first install fails); otherwise a clear error. */
export function ensureE2ePackages(): void {
  if (process.getuid?.() !== 0) throw new Error("the e2e tier needs root (network namespaces, dockerd, sshd on port 22): run it as root");
  const missing = [
    ...new Set(
      Object.entries(REQUIRED)
        .filter(([bin]) => !existsSync(bin))
        .map(([, pkg]) => pkg),
    ),
  ];
  if (missing.length === 0) return;
  const apt = (args: string[]) =>
    execFileSync("apt-get", ["-o", "DPkg::Lock::Timeout=300", ...args], {
      stdio: "ignore",
      env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
      timeout: 900_000,
    });
  const install = ["install", "-y", "--no-install-recommends", ...missing];
  try {
    apt(install);
  } catch {
    apt(["update"]);
    apt(install);
  }
  const still = Object.keys(REQUIRED).filter((bin) => !existsSync(bin));
  if (still.length > 0) throw new Error(`apt-get install ${missing.join(" ")} did not provide ${still.join(", ")}`);
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

async function startDockerd(slot: Slot, ns: string, dir: string, insecureRegistry: string): Promise<{ child: ChildProcess; sock: string; logFile: string }> {
  const sock = join(dir, "docker.sock");
  const logFile = join(dir, "dockerd.log");
  const fd = openSync(logFile, "a");
  // nsenter, not `ip netns exec`: the latter remounts /sys, and dockerd then finds no cgroup mount.
  const args = [
    `--net=/run/netns/${ns}`,
    "dockerd",
    "--data-root",
    join(dir, "data"),
    "--exec-root",
    join(dir, "exec"),
    "--pidfile",
    join(dir, "dockerd.pid"),
    "-H",
    `unix://${sock}`,
    "--insecure-registry",
    insecureRegistry,
  ];
  const child = spawn("nsenter", args, { stdio: ["ignore", fd, fd] });
  closeSync(fd);
  if (child.pid === undefined) throw new Error("could not spawn nsenter dockerd");
  slot.recordPid(child.pid);
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      execFileSync(DOCKER, ["version", "--format", "{{.Server.Version}}"], {
        env: { ...process.env, DOCKER_HOST: `unix://${sock}` },
        stdio: "pipe",
        timeout: 5_000,
      });
      return { child, sock, logFile };
    } catch {
      if (child.exitCode !== null || Date.now() > deadline) {
        killQuietly(child.pid, "SIGKILL");
        throw new Error(`dockerd in ${ns} did not come up: ${readFileSync(logFile, "utf8").slice(-2000)}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** Stops one host: its containers, dockerd (SIGTERM, then SIGKILL), every process left in its namespace, sshd. */
async function stopHost(h: { ns: string; sock?: string; child?: ChildProcess; sshd?: SshdHandle; dir: string }): Promise<void> {
  if (h.sock !== undefined && h.child !== undefined && h.child.exitCode === null) {
    try {
      const env = { ...process.env, DOCKER_HOST: `unix://${h.sock}` };
      const ids = execFileSync(DOCKER, ["ps", "-aq"], { env, encoding: "utf8", timeout: 15_000 }).split("\n").filter(Boolean);
      if (ids.length > 0) execFileSync(DOCKER, ["rm", "-f", ...ids], { env, stdio: "ignore", timeout: 30_000 });
    } catch {
      // The engine is wedged: the kills below still clean up.
    }
    if (h.child.pid !== undefined) killQuietly(h.child.pid, "SIGTERM");
    if (!(await waitForExit(h.child, 15_000)) && h.child.pid !== undefined) killQuietly(h.child.pid, "SIGKILL");
  }
  await h.sshd?.stop();
  for (const pid of pidsInNetns(h.ns)) killQuietly(pid, "SIGKILL");
  unmountUnder(h.dir);
}

/** Brings up `count` hosts on a fresh /27; `registryPort` is the plain-http registry the engines may pull from at the gateway. */
export async function startE2eHosts(count: number, registryPort: (gateway: string) => Promise<number>): Promise<E2eHosts & { registryPort: number }> {
  ensureE2ePackages();
  const slot = claimSlot();
  const root = mkdtempSync(join(tmpdir(), "bge2e-"));
  slot.recordDir(root);
  const hostFs = join(root, "hostfs");
  mkdirSync(hostFs);
  const parts: { ns: string; sock?: string; child?: ChildProcess; sshd?: SshdHandle; dir: string }[] = [];
  const stop = async () => {
    await Promise.allSettled(parts.map((p) => stopHost(p)));
    slot.release();
    unmountUnder(root);
    rmSync(root, { recursive: true, force: true });
  };
  try {
    const port = await registryPort(slot.gateway);
    const hosts: E2eHost[] = [];
    for (let i = 0; i < count; i += 1) {
      const { ns, address } = addHostNamespace(slot, i);
      const dir = join(root, `h${i}`);
      mkdirSync(join(dir, "fs"), { recursive: true });
      const part: (typeof parts)[number] = { ns, dir };
      parts.push(part);
      const d = await startDockerd(slot, ns, dir, `${slot.gateway}:${port}`);
      part.child = d.child;
      part.sock = d.sock;
      const dockerHost = `unix://${d.sock}`;
      // `ip netns exec` gives sshd a mount namespace of its own (slave of the root one), so the bind
      // mount of this host's fs/ over hostFs is seen by this host's sessions only; sh execs sshd (same pid).
      // PATH: the distro's docker CLI (the one matching the engine), as on a stock host.
      part.sshd = await startSshd({
        listenAddress: address,
        port: 22,
        commandPrefix: ["ip", "netns", "exec", ns, "sh", "-c", 'mount --bind "$0" "$1" && shift && exec "$@"', join(dir, "fs"), hostFs],
        setEnv: { DOCKER_HOST: dockerHost, PATH: "/usr/sbin:/usr/bin:/sbin:/bin" },
      });
      slot.recordPid(part.sshd.pid);
      const env = { ...process.env, DOCKER_HOST: dockerHost };
      hosts.push({
        index: i,
        ns,
        address,
        dockerHost,
        sshd: part.sshd,
        dockerdPid: d.child.pid ?? -1,
        docker: (args, opts) => {
          try {
            return execFileSync(DOCKER, args, {
              env,
              encoding: "utf8",
              input: opts?.input,
              timeout: opts?.timeoutMs ?? 120_000,
              stdio: ["pipe", "pipe", "pipe"],
            });
          } catch (err) {
            const e = err as { stderr?: string; message: string };
            throw new Error(`docker ${args.join(" ")} on ${address} failed: ${(e.stderr ?? "").trim() || e.message}`);
          }
        },
        dockerdLog: () => readFileSync(d.logFile, "utf8"),
      });
    }
    // One client key for the whole environment (hosts.ssh.privateKey): every host trusts host 0's.
    const first = hosts[0];
    if (first !== undefined) {
      const pub = readFileSync(`${first.sshd.privateKeyPath}.pub`);
      for (const h of hosts.slice(1)) appendFileSync(join(dirname(h.sshd.privateKeyPath), "authorized_keys"), pub);
    }
    return { slot, gateway: slot.gateway, hosts, hostFs, registryPort: port, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** known_hosts lines as ssh-keyscan writes them for port 22 (bare address). */
export function knownHostsFor(hosts: readonly E2eHost[]): string {
  return hosts.map((h) => h.sshd.knownHostsText.replace(`[${h.address}]:22 `, `${h.address} `)).join("");
}
