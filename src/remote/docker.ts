// Every docker command the tool runs on a host, built as an argv. Values from YAML or the command
// line only ever become single argv words: no shell sees them (see remote/quote.ts for SSH).
import type { Colour } from "../domain/types.js";

export const LABEL = {
  environment: "bluegreen.environment",
  colour: "bluegreen.colour",
  release: "bluegreen.release",
  image: "bluegreen.image",
  /** Only pollers carry it (bluegreen.mode=polling): a container without it is a webhook bot. */
  mode: "bluegreen.mode",
} as const;

export interface Slot {
  environment: string;
  colour: Colour;
  containerName: string;
  hostPort: number;
}

export interface RunSpec {
  slot: Slot;
  releaseId: string;
  /** repository@sha256:... : we run digests, never tags, so every host runs the same bytes. */
  image: string;
  containerPort: number;
  envFile: string;
  memoryBytes: number;
  restartPolicy: string;
  /** "polling" adds the bluegreen.mode label; webhook runs keep their argv exactly as before. */
  mode?: "webhook" | "polling";
}

/** $1 name, $2 colour, $3 the --format template that prints the colour label. */
export const REMOVE_IF_OURS =
  'l=$(docker inspect --type container --format "$3" "$1" 2>/dev/null) || exit 0; if [ "$l" != "$2" ]; then echo "$1 was not started by bluegreen" >&2; exit 3; fi; docker rm --force "$1" >/dev/null || true';

export function containerName(baseName: string, colour: Colour): string {
  return `${baseName}-${colour}`;
}

export const docker = {
  version: (): string[] => ["docker", "version", "--format", "{{.Server.Version}}"],
  pull: (image: string): string[] => ["docker", "pull", image],
  repoDigests: (image: string): string[] => ["docker", "image", "inspect", "--format", "{{json .RepoDigests}}", image],
  run: (r: RunSpec): string[] => [
    "docker",
    "run",
    "--detach",
    "--name",
    r.slot.containerName,
    "--label",
    `${LABEL.environment}=${r.slot.environment}`,
    "--label",
    `${LABEL.colour}=${r.slot.colour}`,
    "--label",
    `${LABEL.release}=${r.releaseId}`,
    "--label",
    `${LABEL.image}=${r.image}`,
    ...(r.mode === "polling" ? ["--label", `${LABEL.mode}=polling`] : []),
    "--env-file",
    r.envFile,
    // A poller without a health check serves no HTTP: nothing to publish.
    ...(r.slot.hostPort > 0 && r.containerPort > 0 ? ["--publish", `${r.slot.hostPort}:${r.containerPort}`] : []),
    "--memory",
    `${r.memoryBytes}b`,
    "--restart",
    r.restartPolicy,
    r.image,
  ],
  list: (environment: string): string[] => ["docker", "ps", "--all", "--filter", `label=${LABEL.environment}=${environment}`, "--format", "{{json .}}"],
  /** Every container, labelled or not: adoption finds what publishes a port whoever started it. */
  listAll: (): string[] => ["docker", "ps", "--all", "--no-trunc", "--format", "{{json .}}"],
  inspect: (names: readonly string[]): string[] => ["docker", "inspect", "--type", "container", ...names],
  stats: (names: readonly string[]): string[] => ["docker", "stats", "--no-stream", "--format", "{{json .}}", ...names],
  /** --timestamps: stdout and stderr come back on two pipes, and only the stamps put them back in time order (containerLogs). */
  logs: (name: string, lines: number): string[] => ["docker", "logs", "--timestamps", "--tail", String(lines), name],
  /**
   * A container's past die/oom events (how its runs ended: inspect forgets that on a restart).
   * Relative times are read on the host's clock. `--until=-1s` is one second from now: docker
   * truncates `0s` to the whole second and would miss an exit in the current one, so the command
   * waits out at most that second.
   */
  exitEvents: (container: string, sinceSeconds: number): string[] => [
    "docker",
    "events",
    "--since",
    `${sinceSeconds}s`,
    "--until=-1s",
    "--filter",
    `container=${container}`,
    "--filter",
    "event=die",
    "--filter",
    "event=oom",
    "--format",
    "{{json .}}",
  ],
  stop: (name: string, timeoutSeconds: number, signal?: string): string[] => [
    "docker",
    "stop",
    "--time",
    String(timeoutSeconds),
    ...(signal !== undefined ? ["--signal", signal] : []),
    name,
  ],
  start: (name: string): string[] => ["docker", "start", name],
  remove: (name: string): string[] => ["docker", "rm", "--force", name],
  /**
   * Removes a colour's container only if bluegreen started it: one under that name whose colour
   * label is not `colour` (started by hand, maybe what serves production) is left alone, exit 3.
   * No container under that name: exit 0, nothing to do. A failed rm is not a failure (the
   * `docker run` after it says what is wrong), as with a plain `docker rm --force`.
   */
  removeIfOurs: (name: string, colour: Colour): string[] => ["sh", "-c", REMOVE_IF_OURS, "sh", name, colour, `{{index .Config.Labels "${LABEL.colour}"}}`],
  // bluegreen rehearse, on the machine that runs it:
  build: (tag: string, dockerfile: string, dir: string): string[] => ["docker", "build", "--tag", tag, "--file", dockerfile, dir],
  /** The default bridge's gateway and subnet (gateway,subnet per pool): where containers reach the engine's machine. */
  bridgeGateway: (): string[] => ["docker", "network", "inspect", "--format", "{{range .IPAM.Config}}{{.Gateway}},{{.Subnet}} {{end}}", "bridge"],
  /** The kernel's socket tables inside the container (needs `cat` in the image; /proc/<pid>/net is tried first). */
  socketTables: (name: string): string[] => ["docker", "exec", name, "cat", "/proc/net/tcp", "/proc/net/tcp6"],
};

/**
 * The IPv4 address containers on the default bridge reach this machine at: the gateway docker
 * reports, or (engines that leave it out for the default bridge, e.g. 20.10) the subnet's first address.
 */
export function parseBridgeGateway(stdout: string): string | null {
  for (const pool of stdout.trim().split(/\s+/)) {
    const [gateway = "", subnet = ""] = pool.split(",");
    if (/^\d+\.\d+\.\d+\.\d+$/.test(gateway)) return gateway;
    const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/\d+$/.exec(subnet);
    if (m !== null) return `${m[1]}.${m[2]}.${m[3]}.${Number(m[4]) + 1}`;
  }
  return null;
}

/** Free disk in KiB on the filesystem holding `path` (POSIX df output, parsed by parseDfAvailableKib). */
export const diskFree = (path: string): string[] => ["df", "-Pk", path];

export function parseDfAvailableKib(stdout: string): number | null {
  const line = stdout.trim().split("\n")[1];
  const avail = line?.trim().split(/\s+/)[3];
  const n = avail === undefined ? Number.NaN : Number(avail);
  return Number.isFinite(n) ? n : null;
}
