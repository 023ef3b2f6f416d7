// Container records rendered as docker prints them: inspect objects, ps rows, status strings.
import type { ContainerRecord } from "./container-record.js";
import { containerLogFile, type HostPaths } from "./paths.js";
import { goTimeString, humanDuration } from "./units.js";

const since = (iso: string, now: number) => humanDuration(now - Date.parse(iso));

/** docker's State.String(): "Up 3 seconds", "Exited (1) 2 seconds ago", "Restarting (1) ...". */
export function statusText(record: ContainerRecord, now = Date.now()): string {
  const { state } = record;
  switch (state.Status) {
    case "running":
      return `Up ${since(state.StartedAt, now)}`;
    case "restarting":
      return `Restarting (${state.ExitCode}) ${since(state.FinishedAt, now)} ago`;
    case "exited":
      return state.FinishedAt.startsWith("0001-") ? "" : `Exited (${state.ExitCode}) ${since(state.FinishedAt, now)} ago`;
    default:
      return "Created";
  }
}

function portKey(p: { containerPort: number; protocol: string }): string {
  return `${p.containerPort}/${p.protocol}`;
}

function portBindings(record: ContainerRecord, hostIp: string): Record<string, { HostIp: string; HostPort: string }[]> {
  const out: Record<string, { HostIp: string; HostPort: string }[]> = {};
  for (const p of record.ports) out[portKey(p)] = [...(out[portKey(p)] ?? []), { HostIp: hostIp, HostPort: String(p.hostPort) }];
  return out;
}

export function inspectView(record: ContainerRecord, paths: HostPaths): Record<string, unknown> {
  const running = record.state.Status === "running";
  const exposed = Object.fromEntries(record.ports.map((p) => [portKey(p), {}]));
  return {
    Id: record.id,
    Created: record.created,
    Path: "node",
    Args: ["main.js"],
    State: record.state,
    Image: record.imageId,
    LogPath: containerLogFile(paths, record.id),
    Name: `/${record.name}`,
    RestartCount: record.restartCount,
    Driver: "overlay2",
    Platform: "linux",
    HostConfig: {
      LogConfig: { Type: record.logDriver, Config: record.logOpts },
      NetworkMode: "bridge",
      PortBindings: portBindings(record, ""),
      RestartPolicy: record.restartPolicy,
      AutoRemove: false,
      Memory: record.memoryBytes,
      MemorySwap: record.memoryBytes > 0 ? record.memoryBytes * 2 : 0,
    },
    Mounts: [],
    Config: {
      Hostname: record.id.slice(0, 12),
      ExposedPorts: exposed,
      Env: record.env,
      Cmd: ["node", "main.js"],
      Image: record.imageRef,
      WorkingDir: "/app",
      Labels: record.labels,
    },
    NetworkSettings: {
      // The sandbox host's address stands in for the container's bridge address.
      Ports: running ? portBindings(record, "0.0.0.0") : {},
      IPAddress: running ? paths.host : "",
    },
  };
}

export function labelsText(labels: Record<string, string>): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join(",");
}

export function psView(record: ContainerRecord, noTrunc: boolean, now = Date.now()): Record<string, string> {
  const running = record.state.Status === "running";
  return {
    Command: '"node main.js"',
    CreatedAt: goTimeString(record.created),
    ID: noTrunc ? record.id : record.id.slice(0, 12),
    Image: record.imageRef,
    Labels: labelsText(record.labels),
    LocalVolumes: "0",
    Mounts: "",
    Names: record.name,
    Networks: "bridge",
    Ports: running ? record.ports.map((p) => `0.0.0.0:${p.hostPort}->${portKey(p)}`).join(", ") : "",
    RunningFor: `${since(record.created, now)} ago`,
    Size: "0B",
    State: record.state.Status,
    Status: statusText(record, now),
  };
}

/** Left-aligned columns separated by three spaces, like docker's tabwriter tables. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join("   ")
      .trimEnd();
  return [line(headers), ...rows.map(line)].map((l) => `${l}\n`).join("");
}
