// Docker allocates a published port when the container starts; a clash fails the start with the
// daemon's texts. The sandbox checks its own containers first, then tries the socket.
import { createServer } from "node:net";
import { type ContainerRecord, isActive, listContainers } from "./container-record.js";
import type { HostPaths } from "./paths.js";
import { waitFor } from "./proc.js";

function tryBind(host: string, port: number): Promise<NodeJS.ErrnoException | null> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", (error: NodeJS.ErrnoException) => resolve(error));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(null)));
  });
}

/** The daemon's error text, or null when every published port is free. */
export async function portConflict(paths: HostPaths, record: ContainerRecord): Promise<string | null> {
  const endpoint = `driver failed programming external connectivity on endpoint ${record.name} (${record.id})`;
  const others = (await listContainers(paths)).filter((r) => r.id !== record.id && isActive(r));
  for (const { hostPort } of record.ports) {
    if (others.some((r) => r.ports.some((p) => p.hostPort === hostPort))) {
      return `${endpoint}: Bind for 0.0.0.0:${hostPort} failed: port is already allocated`;
    }
    const error = await tryBind(paths.host, hostPort);
    if (!error) continue;
    const reason =
      error.code === "EADDRINUSE"
        ? "bind: address already in use"
        : error.code === "EADDRNOTAVAIL"
          ? "bind: cannot assign requested address"
          : `bind: ${error.message}`;
    return `${endpoint}: failed to bind port 0.0.0.0:${hostPort}/tcp: Error starting userland proxy: listen tcp4 0.0.0.0:${hostPort}: ${reason}`;
  }
  return null;
}

/**
 * Waits (at most `timeoutMs`) until every port `record` publishes can be bound again on its host.
 * docker's `stop` and `rm --force` return once the container's port mappings are released, so a
 * `docker run` right after them may take the same port; here the port is the bot's own socket, which
 * the kernel frees only once that process has finished exiting (a big heap takes a moment to unmap),
 * and a run of the stand-in in the CLI's process follows an rm within milliseconds.
 */
export async function untilPortsFree(paths: HostPaths, record: ContainerRecord, timeoutMs: number): Promise<boolean> {
  const free = async () => {
    for (const { hostPort } of record.ports) if ((await tryBind(paths.host, hostPort)) !== null) return false;
    return true;
  };
  return waitFor(free, timeoutMs);
}
