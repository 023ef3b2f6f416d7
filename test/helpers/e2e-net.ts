// Network plumbing for the real-Docker tier: one Linux bridge per test world in the root namespace
// and one network namespace per "EC2 host", joined by veth pairs, inside 10.213.0.0/24.
// The /24 is cut into eight /27 slots so test files running in parallel never share addresses;
// a slot is claimed with an atomic mkdir and taken over when the claiming process is dead (after
// removing whatever that crashed run left: its daemons by recorded pid, namespaces, bridge).
import { execFileSync } from "node:child_process";
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const SLOTS_DIR = "/run/bluegreen-e2e";
const SLOT_COUNT = 8;

export interface Slot {
  index: number;
  /** 10.213.0.<32*index + 1>: the bridge's address, the hosts' gateway, where the registry listens. */
  gateway: string;
  bridge: string;
  dir: string;
  /** Records a pid so a later run can stop it if this process dies without cleaning up. */
  recordPid(pid: number): void;
  /** Records a temporary directory (unmounted and removed if this process dies without cleaning up). */
  recordDir(path: string): void;
  release(): void;
}

export function run(argv: string[], opts: { input?: string; timeoutMs?: number } = {}): string {
  const [cmd, ...args] = argv;
  if (cmd === undefined) throw new Error("empty argv");
  try {
    return execFileSync(cmd, args, { encoding: "utf8", input: opts.input, timeout: opts.timeoutMs ?? 60_000, stdio: ["pipe", "pipe", "pipe"] });
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`${argv.join(" ")} failed: ${(e.stderr ?? "").trim() || e.message}`);
  }
}

/** Runs argv and ignores failure: for teardown of things that may already be gone. */
export function tryRun(argv: string[]): void {
  try {
    run(argv, { timeoutMs: 30_000 });
  } catch {
    // Already gone.
  }
}

export const hostAddress = (slot: Slot, i: number): string => `10.213.0.${32 * slot.index + 2 + i}`;
export const netnsName = (slot: Slot, i: number): string => `bge2e-s${slot.index}-h${i}`;
/** Root-namespace end of host i's veth pair (IFNAMSIZ: at most 15 characters). */
export const vethName = (slot: Slot, i: number): string => `bge2e${slot.index}h${i}`;

/** Field 22 of /proc/<pid>/stat (start time in clock ticks since boot); "" when the process is gone. */
function startTime(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19] ?? "";
  } catch {
    return "";
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function killQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone.
  }
}

/** Pids of every process whose network namespace is the named one (dockerd, containerd, shims, containers, sshd sessions). */
export function pidsInNetns(ns: string): number[] {
  let target: string;
  try {
    target = `net:[${statSync(`/run/netns/${ns}`).ino}]`;
  } catch {
    return [];
  }
  const out: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readlinkSync(`/proc/${entry}/ns/net`) === target) out.push(Number(entry));
    } catch {
      // Exited meanwhile.
    }
  }
  return out;
}

/** Lazily unmounts whatever dockerd left mounted under dir (overlay layers, netns bind mounts), deepest first. */
export function unmountUnder(dir: string): void {
  const points = readFileSync("/proc/self/mountinfo", "utf8")
    .split("\n")
    .map((l) => l.split(" ")[4] ?? "")
    .filter((p) => p === dir || p.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
  for (const p of points) tryRun(["umount", "-l", p]);
}

/** Everything a slot may hold, removed in dependency order; safe to call on a half-built slot. */
export function scrubSlot(index: number): void {
  const dir = join(SLOTS_DIR, `slot-${index}`);
  const pidsFile = join(dir, "pids");
  if (existsSync(pidsFile)) {
    // Only a pid that still has the start time we recorded is ours: pids are reused.
    for (const line of readFileSync(pidsFile, "utf8").split("\n")) {
      const [pid, started] = line.split(" ");
      if (pid !== undefined && /^\d+$/.test(pid) && started !== undefined && started !== "" && startTime(Number(pid)) === started)
        killQuietly(Number(pid), "SIGKILL");
    }
  }
  const namespaces = existsSync("/run/netns") ? readdirSync("/run/netns").filter((n) => n.startsWith(`bge2e-s${index}-`)) : [];
  for (const ns of namespaces) {
    for (const pid of pidsInNetns(ns)) killQuietly(pid, "SIGKILL");
    tryRun(["ip", "netns", "delete", ns]);
  }
  const dirsFile = join(dir, "dirs");
  if (existsSync(dirsFile)) {
    for (const path of readFileSync(dirsFile, "utf8")
      .split("\n")
      .filter((p) => p.startsWith("/tmp/bge2e-"))) {
      unmountUnder(path);
      rmSync(path, { recursive: true, force: true });
    }
  }
  for (const link of readdirSync("/sys/class/net").filter((l) => l.startsWith(`bge2e${index}h`))) tryRun(["ip", "link", "delete", link]);
  if (existsSync(`/sys/class/net/bge2e-br${index}`)) tryRun(["ip", "link", "delete", `bge2e-br${index}`]);
}

/** Claims a free /27 (or one whose owner died), and brings its bridge up. */
export function claimSlot(): Slot {
  mkdirSync(SLOTS_DIR, { recursive: true });
  for (let index = 0; index < SLOT_COUNT; index += 1) {
    const dir = join(SLOTS_DIR, `slot-${index}`);
    try {
      mkdirSync(dir);
    } catch {
      const owner = Number(readFileSafe(join(dir, "owner")));
      const ownerAge = Date.now() - statSync(dir).mtimeMs;
      // An owner file not written yet means another process is claiming it right now.
      if ((owner > 0 && alive(owner)) || (owner === 0 && ownerAge < 10_000)) continue;
      scrubSlot(index);
      rmSync(dir, { recursive: true, force: true });
      try {
        mkdirSync(dir);
      } catch {
        continue;
      }
    }
    writeFileSync(join(dir, "owner"), String(process.pid));
    scrubSlot(index);
    const slot: Slot = {
      index,
      gateway: `10.213.0.${32 * index + 1}`,
      bridge: `bge2e-br${index}`,
      dir,
      recordDir: (path) => appendFileSync(join(dir, "dirs"), `${path}\n`),
      recordPid: (pid) => appendFileSync(join(dir, "pids"), `${pid} ${startTime(pid)}\n`),
      release: () => {
        scrubSlot(index);
        rmSync(dir, { recursive: true, force: true });
      },
    };
    try {
      run(["ip", "link", "add", slot.bridge, "type", "bridge"]);
      run(["ip", "addr", "add", `${slot.gateway}/27`, "dev", slot.bridge]);
      run(["ip", "link", "set", slot.bridge, "up"]);
    } catch (err) {
      slot.release();
      throw err;
    }
    return slot;
  }
  throw new Error(`all ${SLOT_COUNT} e2e network slots in ${SLOTS_DIR} are held by live processes`);
}

function readFileSafe(path: string): string {
  try {
    return readFileSync(path, "utf8").trim();
  } catch {
    return "";
  }
}

/** Namespace + veth for host i: address 10.213.0.<32*slot+2+i>/27, default route via the bridge. */
export function addHostNamespace(slot: Slot, i: number): { ns: string; address: string } {
  const ns = netnsName(slot, i);
  const address = hostAddress(slot, i);
  const veth = vethName(slot, i);
  run(["ip", "netns", "add", ns]);
  run(["ip", "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", ns]);
  run(["ip", "link", "set", veth, "master", slot.bridge, "up"]);
  run(["ip", "-n", ns, "addr", "add", `${address}/27`, "dev", "eth0"]);
  run(["ip", "-n", ns, "link", "set", "eth0", "up"]);
  run(["ip", "-n", ns, "link", "set", "lo", "up"]);
  run(["ip", "-n", ns, "route", "add", "default", "via", slot.gateway]);
  return { ns, address };
}
