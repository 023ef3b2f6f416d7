// Ending a container's processes: gracefully for docker stop, at once for rm --force and teardown.
import { type ContainerRecord, exitedState, isActive, readContainer, reconcile, writeContainer } from "./container-record.js";
import type { HostPaths } from "./paths.js";
import { untilPortsFree } from "./port-check.js";
import { isAlive, signal, signalGroup, waitFor } from "./proc.js";

const KILL_WAIT_MS = 5_000;
/** How long a stop or rm waits for the container's published ports to be free again (see untilPortsFree). */
const PORT_RELEASE_MS = 2_000;

/**
 * Through the supervisor, so it restarts nothing: SIGTERM (bot gets SIGTERM), then after timeoutS
 * SIGUSR1 (bot gets SIGKILL). With timeoutS 0 the bot is killed at once, without docker's race
 * between a SIGTERM and the SIGKILL right behind it.
 */
export async function stopGracefully(paths: HostPaths, record: ContainerRecord, timeoutS: number): Promise<void> {
  if (!isActive(record) || !isAlive(record.supervisor)) return;
  const ended = async () => {
    await untilPortsFree(paths, record, PORT_RELEASE_MS);
  };
  if (timeoutS > 0) {
    signal(record.supervisor, "SIGTERM");
    if (await waitFor(() => !isAlive(record.supervisor), timeoutS * 1000)) return ended();
  }
  signal(record.supervisor, "SIGUSR1");
  if (await waitFor(() => !isAlive(record.supervisor), KILL_WAIT_MS)) return ended();
  await killNow(paths, record);
}

/** SIGKILL to the supervisor's whole process group and the bot; the record ends exited (137). */
export async function killNow(paths: HostPaths, record: ContainerRecord): Promise<number> {
  const current = (await readContainer(paths, record.name)) ?? record;
  const handles = [current.supervisor, current.bot].filter((h) => isAlive(h));
  signalGroup(current.supervisor, "SIGKILL");
  signal(current.bot, "SIGKILL");
  await waitFor(() => handles.every((h) => !isAlive(h)), KILL_WAIT_MS);
  if (handles.length > 0) await untilPortsFree(paths, current, PORT_RELEASE_MS);
  const after = await readContainer(paths, record.name);
  if (after && after.id === record.id && isActive(after)) {
    const exitCode = after.state.Status === "running" ? 137 : after.state.ExitCode;
    await writeContainer(paths, {
      ...after,
      state: exitedState(after.state, exitCode, new Date().toISOString()),
      supervisor: null,
      bot: null,
    });
  } else if (after) {
    await reconcile(paths, after);
  }
  return handles.length;
}
