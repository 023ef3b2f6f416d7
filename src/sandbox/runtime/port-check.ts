// Docker allocates a published port when the container starts; a clash fails the start with the
// daemon's texts. The sandbox checks its own containers first, then tries the socket.
import { createServer } from "node:net";
import { type ContainerRecord, isActive, listContainers } from "./container-record.js";
import type { HostPaths } from "./paths.js";

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
