// The state file of one container. While a supervisor is alive it is the only writer; the CLI
// writes only containers without a live supervisor (created, exited, or whose supervisor died).
import { readdir } from "node:fs/promises";
import { createJsonExclusive, readJsonFile, writeJsonAtomic } from "./atomic-file.js";
import { DockerCliError } from "./cli-error.js";
import { containerFile, type HostPaths } from "./paths.js";
import { isAlive, type ProcessHandle, signal } from "./proc.js";
import type { RestartPolicy } from "./restart-policy.js";

export type ContainerStatus = "created" | "running" | "restarting" | "exited";

/** Field names and meanings of docker inspect's .State. */
export interface ContainerState {
  Status: ContainerStatus;
  Running: boolean;
  Paused: boolean;
  Restarting: boolean;
  OOMKilled: boolean;
  Dead: boolean;
  Pid: number;
  ExitCode: number;
  Error: string;
  StartedAt: string;
  FinishedAt: string;
}

export interface PortMapping {
  hostPort: number;
  containerPort: number;
  protocol: string;
}

export interface ContainerRecord {
  id: string;
  name: string;
  created: string;
  /** The image as given to docker run. */
  imageRef: string;
  imageId: string;
  digest: string;
  variant: string;
  labels: Record<string, string>;
  /** Config.Env: image env merged with env-file and --env (later wins). */
  env: string[];
  memoryBytes: number;
  restartPolicy: RestartPolicy;
  ports: PortMapping[];
  logDriver: string;
  logOpts: Record<string, string>;
  state: ContainerState;
  restartCount: number;
  manuallyStopped: boolean;
  supervisor: ProcessHandle | null;
  bot: ProcessHandle | null;
}

/** Docker's rule for container names; it also keeps names safe as file names. */
export const NAME_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

export const ZERO_TIME = "0001-01-01T00:00:00Z";

export function createdState(): ContainerState {
  return {
    Status: "created",
    Running: false,
    Paused: false,
    Restarting: false,
    OOMKilled: false,
    Dead: false,
    Pid: 0,
    ExitCode: 0,
    Error: "",
    StartedAt: ZERO_TIME,
    FinishedAt: ZERO_TIME,
  };
}

export function exitedState(previous: ContainerState, exitCode: number, finishedAt: string): ContainerState {
  return { ...previous, Status: "exited", Running: false, Restarting: false, Pid: 0, ExitCode: exitCode, FinishedAt: finishedAt };
}

export const isActive = (r: ContainerRecord) => r.state.Status === "running" || r.state.Status === "restarting";

export function readContainer(paths: HostPaths, name: string): Promise<ContainerRecord | null> {
  return readJsonFile<ContainerRecord>(containerFile(paths, name));
}

export function writeContainer(paths: HostPaths, record: ContainerRecord): Promise<void> {
  return writeJsonAtomic(containerFile(paths, record.name), record);
}

export function createContainer(paths: HostPaths, record: ContainerRecord): Promise<boolean> {
  return createJsonExclusive(containerFile(paths, record.name), record);
}

/**
 * A container whose supervisor died without writing its exit (killed, host "rebooted") is shown
 * as exited, the way docker shows containers after a daemon crash, and its orphan bot is ended.
 */
export async function reconcile(paths: HostPaths, record: ContainerRecord): Promise<ContainerRecord> {
  if (!isActive(record) || isAlive(record.supervisor)) return record;
  const fresh = await readContainer(paths, record.name);
  if (!fresh || fresh.id !== record.id || !isActive(fresh) || isAlive(fresh.supervisor)) return fresh ?? record;
  signal(fresh.bot, "SIGKILL");
  const exitCode = fresh.state.Status === "running" ? 137 : fresh.state.ExitCode;
  const updated = { ...fresh, state: exitedState(fresh.state, exitCode, new Date().toISOString()), supervisor: null, bot: null };
  await writeContainer(paths, updated);
  return updated;
}

export async function listContainers(paths: HostPaths): Promise<ContainerRecord[]> {
  let files: string[];
  try {
    files = await readdir(paths.containers);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  const records: ContainerRecord[] = [];
  for (const file of files.filter((f) => f.endsWith(".json"))) {
    const record = await readContainer(paths, file.slice(0, -".json".length));
    if (record) records.push(await reconcile(paths, record));
  }
  return records.sort((a, b) => (a.created < b.created ? 1 : a.created > b.created ? -1 : 0));
}

/** Docker resolves a name, a full id, or a unique id prefix. null when nothing matches. */
export async function findContainer(paths: HostPaths, ref: string): Promise<ContainerRecord | null> {
  const name = ref.replace(/^\//, "");
  const byName = NAME_PATTERN.test(name) ? await readContainer(paths, name) : null;
  if (byName) return reconcile(paths, byName);
  if (!/^[a-f0-9]+$/.test(ref)) return null;
  const all = await listContainers(paths);
  const exact = all.find((r) => r.id === ref);
  if (exact) return exact;
  const matches = all.filter((r) => r.id.startsWith(ref));
  if (matches.length > 1) {
    throw new DockerCliError(`Error response from daemon: multiple IDs found with provided prefix: ${ref}`, 1);
  }
  return matches[0] ?? null;
}
