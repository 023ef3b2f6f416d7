// The engine's event log, what `docker events` reads: supervisors append the container events
// docker emits when a container starts, is OOM-killed and dies (with its exit code), one JSON line
// each (a single small write, so concurrent appends do not interleave). Inspect forgets a restarted
// container's OOM flag and exit code, as docker's does; the events keep them.
import { appendFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import type { ContainerRecord } from "./container-record.js";
import type { HostPaths } from "./paths.js";

/** The JSON docker prints for `docker events --format '{{json .}}'`. */
export interface EngineEvent {
  status: string;
  id: string;
  from: string;
  Type: "container";
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
  scope: "local";
  time: number;
  timeNano: number;
}

export function containerEvent(record: ContainerRecord, action: string, extra: Record<string, string> = {}, atMs = Date.now()): EngineEvent {
  const attributes = { ...record.labels, image: record.imageRef, name: record.name, ...extra };
  return {
    status: action,
    id: record.id,
    from: record.imageRef,
    Type: "container",
    Action: action,
    Actor: { ID: record.id, Attributes: attributes },
    scope: "local",
    time: Math.floor(atMs / 1000),
    timeNano: atMs * 1_000_000,
  };
}

export function appendEventSync(paths: HostPaths, event: EngineEvent): void {
  appendFileSync(paths.events, `${JSON.stringify(event)}\n`);
}

export async function readEvents(paths: HostPaths): Promise<EngineEvent[]> {
  let text: string;
  try {
    text = await readFile(paths.events, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  return text.split("\n").flatMap((line) => {
    if (line.trim() === "") return [];
    try {
      return [JSON.parse(line) as EngineEvent];
    } catch {
      return []; // a line cut short by a crash is not an event
    }
  });
}
