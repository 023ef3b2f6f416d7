// Teardown for tests and `sandbox down`: every supervisor and bot of every host, by recorded pid.
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { listContainers } from "./container-record.js";
import { hostPaths } from "./paths.js";
import { killNow } from "./stop-container.js";

async function hostsOf(stateRoot: string): Promise<string[]> {
  try {
    return await readdir(join(stateRoot, "hosts"));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
}

/** SIGKILLs every live supervisor (with its process group) and bot; returns how many processes it ended. */
export async function killAllContainers(stateRoot: string): Promise<number> {
  let killed = 0;
  for (const host of await hostsOf(stateRoot)) {
    const paths = hostPaths(stateRoot, host);
    for (const record of await listContainers(paths)) killed += await killNow(paths, record);
  }
  return killed;
}
