// Which local process listens on a TCP port, for messages that name it ("port 4566 is held by pid
// 812: node .../daemon.js ..."). Linux's /proc only, and best effort: a port held by another user's
// process, or any other OS, gives the port without a holder. Never used to decide anything.
import { readdir, readFile, readlink } from "node:fs/promises";
import { createServer } from "node:net";
import { join } from "node:path";

export interface PortHolder {
  port: number;
  pid?: number;
  /** The holder's command line, words joined by spaces (cut to 200 characters). */
  command?: string;
  /** Set when the holder is a `bluegreen sandbox up` daemon: the folder it was started in. */
  sandboxDir?: string;
}

/** null when `port` can be bound on `host`, else the bind's error code (EADDRINUSE, EACCES...). */
export function bindError(host: string, port: number): Promise<string | null> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(null)));
  });
}

/** The ports of `ports` that cannot be bound on `host`, each with its holder when /proc tells. */
export async function busyPorts(host: string, ports: readonly number[], proc = "/proc"): Promise<PortHolder[]> {
  const busy: number[] = [];
  for (const port of new Set(ports)) if ((await bindError(host, port)) !== null) busy.push(port);
  if (busy.length === 0) return [];
  const inodes = await listeningInodes(proc, busy);
  const owners = inodes.size > 0 ? await socketOwners(proc, new Set(inodes.values())) : new Map<string, number>();
  return Promise.all(
    busy.map(async (port) => {
      const inode = inodes.get(port);
      const pid = inode !== undefined ? owners.get(inode) : undefined;
      if (pid === undefined) return { port };
      const command = await commandLine(proc, pid);
      const sandboxDir = command === undefined ? undefined : sandboxDirOf(command);
      return { port, pid, ...(command !== undefined ? { command: command.join(" ").slice(0, 200) } : {}), ...(sandboxDir !== undefined ? { sandboxDir } : {}) };
    }),
  );
}

/** A sandbox daemon's command line is `node .../sandbox/daemon.js <dir>/.bluegreen/sandbox`. */
export function sandboxDirOf(argv: readonly string[]): string | undefined {
  const i = argv.findIndex((a) => /[/\\]sandbox[/\\]daemon\.[jt]s$/.test(a));
  const root = i >= 0 ? argv[i + 1] : undefined;
  const m = root === undefined ? null : /^(.*)[/\\]\.bluegreen[/\\]sandbox[/\\]?$/.exec(root);
  return m?.[1] === undefined ? undefined : m[1] === "" ? "/" : m[1];
}

/** port -> socket inode of the LISTEN sockets on those ports (/proc/net/tcp and tcp6). */
async function listeningInodes(proc: string, ports: readonly number[]): Promise<Map<number, string>> {
  const found = new Map<number, string>();
  for (const table of ["tcp", "tcp6"]) {
    const text = await readFile(join(proc, "net", table), "utf8").catch(() => "");
    for (const line of text.split("\n").slice(1)) {
      // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
      const f = line.trim().split(/\s+/);
      const local = f[1];
      const inode = f[9];
      if (local === undefined || inode === undefined || f[3] !== "0A") continue;
      const port = Number.parseInt(local.slice(local.lastIndexOf(":") + 1), 16);
      if (ports.includes(port) && !found.has(port)) found.set(port, inode);
    }
  }
  return found;
}

/** socket inode -> pid, for the inodes asked, from each readable /proc/<pid>/fd. */
async function socketOwners(proc: string, inodes: Set<string>): Promise<Map<string, number>> {
  const owners = new Map<string, number>();
  const pids = (await readdir(proc).catch(() => [] as string[])).filter((d) => /^\d+$/.test(d));
  for (const pid of pids) {
    const fds = await readdir(join(proc, pid, "fd")).catch(() => [] as string[]);
    for (const fd of fds) {
      const link = await readlink(join(proc, pid, "fd", fd)).catch(() => "");
      const m = /^socket:\[(\d+)\]$/.exec(link);
      if (m?.[1] !== undefined && inodes.has(m[1]) && !owners.has(m[1])) owners.set(m[1], Number(pid));
    }
    if (owners.size === inodes.size) break;
  }
  return owners;
}

async function commandLine(proc: string, pid: number): Promise<string[] | undefined> {
  const raw = await readFile(join(proc, String(pid), "cmdline"), "utf8").catch(() => "");
  const argv = raw.split("\0").filter((a) => a !== "");
  return argv.length > 0 ? argv : undefined;
}

/**
 * "ports 4566, 8081 (pid 812: node .../daemon.js ...), port 8080": the ports grouped by their holder
 * (one process usually holds them all), a port whose holder is unknown without one.
 */
export function describeHolders(taken: readonly PortHolder[]): string {
  const groups = new Map<string, PortHolder[]>();
  for (const h of taken) {
    const key = h.pid === undefined ? `port ${h.port}` : `pid ${h.pid}`;
    groups.set(key, [...(groups.get(key) ?? []), h]);
  }
  return [...groups.values()]
    .map((hs) => {
      const ports = `${hs.length === 1 ? "port" : "ports"} ${hs.map((h) => h.port).join(", ")}`;
      const h = hs[0];
      return h?.pid === undefined ? ports : `${ports} (pid ${h.pid}${h.command !== undefined ? `: ${h.command}` : ""})`;
    })
    .join(", ");
}
