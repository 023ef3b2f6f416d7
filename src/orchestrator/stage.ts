// Staging: the new container on every host of the idle colour, registered in its target group.
// Secrets travel in a 0600 env file written through stdin, never on a command line.
import type { Goal } from "../domain/decide.js";
import { servesTraffic } from "../domain/traffic.js";
import type { Colour, ContainerFacts } from "../domain/types.js";
import { BluegreenError } from "../errors.js";
import { parseBatch } from "../remote/batch.js";
import { containerName, docker } from "../remote/docker.js";
import { envFileContent, writeFilePrivate } from "../remote/files.js";
import { pullAndDigest, stageBatch } from "../remote/phases.js";
import { byColour } from "./containers.js";
import type { ConnectedHost, Ctx } from "./context.js";
import { HostCommandError, mapLimit, mustExec } from "./context.js";
import type { World } from "./observe.js";
import type { Settings } from "./settings.js";

export function envFilePath(ctx: Ctx, colour: string): string {
  return `${ctx.settings.container.envFileDir.replace(/\/+$/, "")}/${ctx.settings.environment}/${ctx.settings.container.name}-${colour}.env`;
}

export function containerEnv(ctx: Ctx, goal: Goal): Record<string, string> {
  return containerEnvFor(ctx.settings, goal);
}

/** What goes into a colour's env file: the environment's variables and secrets, and who it is. */
export function containerEnvFor(s: Settings, goal: Pick<Goal, "colour" | "releaseId">): Record<string, string> {
  return {
    ...s.container.env,
    BLUEGREEN_ENVIRONMENT: s.environment,
    BLUEGREEN_COLOUR: goal.colour,
    BLUEGREEN_RELEASE: goal.releaseId,
  };
}

export function runArgv(ctx: Ctx, goal: Goal): string[] {
  return runArgvFor(ctx.settings, goal, envFilePath(ctx, goal.colour));
}

/**
 * The one `docker run` of a colour's container: a release stages with it on every host and
 * `bluegreen rehearse` runs the image with it locally (only the env file's place differs).
 */
export function runArgvFor(s: Settings, goal: Pick<Goal, "colour" | "releaseId" | "image">, envFile: string): string[] {
  return docker.run({
    slot: {
      environment: s.environment,
      colour: goal.colour,
      containerName: containerName(s.container.name, goal.colour),
      hostPort: s.hostPorts[goal.colour],
    },
    releaseId: goal.releaseId,
    image: goal.image,
    containerPort: s.container.port,
    envFile,
    memoryBytes: s.container.memoryBytes,
    restartPolicy: s.container.restartPolicy,
    ...(s.mode === "polling" ? { mode: "polling" as const } : {}),
  });
}

/**
 * The stage's one exec on a host (#17; each step runs only when the ones before it succeeded), and
 * the two steps whose failure names its own argv. `pulled`: this run already pulled goal.image on
 * the host (resolveDigest), so it is not pulled again. `plan` shows the same argv.
 */
export function stageExec(ctx: Ctx, goal: Goal, pulled: boolean, marker?: string): { argv: string[]; pull?: string[]; writeEnvFile: string[] } {
  const name = containerName(ctx.settings.container.name, goal.colour);
  const pull = pulled ? undefined : docker.pull(goal.image);
  const writeEnvFile = writeFilePrivate(envFilePath(ctx, goal.colour));
  // The batch ends with the inspect every observe reads (#17): the observe after staging takes it.
  const inspect = [containerName(ctx.settings.container.name, "blue"), containerName(ctx.settings.container.name, "green")];
  const argv = stageBatch({ name, colour: goal.colour, writeEnvFile, run: runArgv(ctx, goal), inspect, ...(pull !== undefined ? { pull } : {}) }, marker);
  return { argv, writeEnvFile, ...(pull !== undefined ? { pull } : {}) };
}

/** resolveDigest's pull of `ref` leaves repository@digest on the host only when `ref` names the configured repository. */
export function pullLeavesDigestOnHost(repository: string, ref: string): boolean {
  return ref.startsWith(`${repository}:`) || ref.startsWith(`${repository}@`);
}

/**
 * Stage `goal` on one host. Returns the host's containers as the batch's last step read them right
 * after the `docker run` (#17: the observe after staging needs no exec of its own), or undefined
 * when it has no such reading (the retry after a run that collided with a dead run's, or a reading
 * that lacks the container just started). `docker run
 * --detach` returns once the container started, so a container not running in that reading has
 * already exited: a crash, which decide fails before traffic with the container's own reason.
 */
export async function stageHost(ctx: Ctx, host: ConnectedHost, goal: Goal): Promise<Partial<Record<Colour, ContainerFacts>> | undefined> {
  const name = containerName(ctx.settings.container.name, goal.colour);
  // resolveDigest pulled these very bytes on this host moments ago: pulling by digest again is a no-op round trip.
  const { argv, pull, writeEnvFile } = stageExec(ctx, goal, ctx.pulled?.get(host.instanceId)?.has(goal.image) === true);
  const res = await host.remote.exec(argv, { stdin: envFileContent(containerEnv(ctx, goal)), ...(pull !== undefined ? { timeoutMs: 10 * 60_000 } : {}) });
  const [removed, written, ...rest] = parseBatch(argv, res);
  const pulled = pull !== undefined ? rest[0] : undefined;
  const run = rest.at(-2);
  const read = rest.at(-1);
  // Only a container bluegreen started is ever removed: one under the same name without our labels
  // (started with a plain `docker run`) may be what serves production. Stop, touch nothing.
  if (removed?.code === 3) {
    throw new BluegreenError(
      `${host.instanceId}: container ${name} was not started by bluegreen (no bluegreen labels); refusing to remove it`,
      "world",
      `rename or remove it on that host once nothing depends on it (\`docker rm -f ${name}\`), or set container.name to another name`,
    );
  }
  if (removed !== undefined && removed.code !== 0) throw new HostCommandError(host.instanceId, docker.removeIfOurs(name, goal.colour), removed);
  if (written !== undefined && written.code !== 0) throw new HostCommandError(host.instanceId, writeEnvFile, written);
  if (pull !== undefined && pulled !== undefined && pulled.code !== 0) throw new HostCommandError(host.instanceId, pull, pulled);
  if (run === undefined) throw new HostCommandError(host.instanceId, argv, res);
  // `docker inspect` exits 1 when one of the names is missing but still prints the others.
  // A reading without the container just started (its output lost with the connection) is no
  // reading: undefined makes the observe read the host again instead of staging it a second time.
  if (run.code === 0) {
    const seen = read !== undefined ? byColour(read.stdout) : undefined;
    return seen?.[goal.colour] !== undefined ? seen : undefined;
  }
  // A run killed mid-stage may still have its own `docker run` landing on the host: remove and retry once.
  if (/is already in use/.test(run.stderr)) {
    await host.remote.exec(docker.remove(name));
    await mustExec(host, runArgv(ctx, goal));
    return undefined;
  }
  throw new HostCommandError(host.instanceId, runArgv(ctx, goal), run);
}

/** What staging read back per host (instance id -> containers); a host missing here was not read. */
export type StagedReadings = Map<string, Partial<Record<Colour, ContainerFacts>>>;

export async function stage(ctx: Ctx, world: World, goal: Goal, instanceIds: string[]): Promise<StagedReadings> {
  // Never replace what serves traffic: decide must not ask for it, and if it ever did, stop.
  if (servesTraffic(world.traffic, ctx.settings.webhook.urls, goal.colour)) {
    throw new BluegreenError(`refusing to replace the ${goal.colour} containers: they serve traffic`, "internal");
  }
  const hosts = ctx.hosts.filter((h) => instanceIds.includes(h.instanceId));
  const read = await mapLimit(hosts, ctx.settings.rollout.hostConcurrency, async (h) => [h.instanceId, await stageHost(ctx, h, goal)] as const);
  return new Map(read.flatMap(([id, c]) => (c !== undefined ? [[id, c] as const] : [])));
}

export async function startStopped(ctx: Ctx, goal: Goal, instanceIds: string[]): Promise<void> {
  const name = containerName(ctx.settings.container.name, goal.colour);
  const hosts = ctx.hosts.filter((h) => instanceIds.includes(h.instanceId));
  await mapLimit(hosts, ctx.settings.rollout.hostConcurrency, (h) => mustExec(h, docker.start(name)).then(() => undefined));
}

/** The targets `register` writes for these hosts. */
export function registerTargets(ctx: Ctx, goal: Goal, instanceIds: string[]): { id: string; port: number }[] {
  return instanceIds.map((id) => ({ id, port: ctx.settings.hostPorts[goal.colour] }));
}

export async function register(ctx: Ctx, goal: Goal, instanceIds: string[]): Promise<void> {
  await ctx.lb.registerTargets(ctx.targetGroups[goal.colour].arn, registerTargets(ctx, goal, instanceIds));
}

/** Resolve --image to one digest: pull on every host, and insist they all got the same bytes. */
export async function resolveDigest(ctx: Ctx, ref: string): Promise<string> {
  const repository = ctx.settings.container.repository;
  const digests = await mapLimit(ctx.hosts, ctx.settings.rollout.hostConcurrency, async (h) => {
    // One exec per host (#17): the digests are read only after a good pull.
    const argv = pullAndDigest(ref);
    const [pulled, read] = parseBatch(argv, await h.remote.exec(argv, { timeoutMs: 10 * 60_000 }));
    if (pulled === undefined || pulled.code !== 0) throw new HostCommandError(h.instanceId, docker.pull(ref), pulled ?? { code: 255, stdout: "", stderr: "" });
    if (read === undefined || read.code !== 0) throw new HostCommandError(h.instanceId, docker.repoDigests(ref), read ?? { code: 255, stdout: "", stderr: "" });
    const res = read;
    const list = JSON.parse(res.stdout.trim() || "[]") as string[];
    const mine = list.find((d) => d.split("@")[0]?.split("/").pop() === repository.split("/").pop()) ?? list[0];
    const digest = mine?.split("@")[1];
    if (digest === undefined) throw new BluegreenError(`${h.instanceId}: ${ref} has no registry digest after the pull`, "world");
    return { host: h.instanceId, digest };
  });
  const unique = [...new Set(digests.map((d) => d.digest))];
  if (unique.length !== 1) {
    throw new BluegreenError(
      `hosts pulled different digests for ${ref} (${unique.join(", ")}): the tag moved during the release`,
      "world",
      "run the release again, or release by digest (--image @sha256:...)",
    );
  }
  const image = `${repository}@${unique[0]}`;
  // Only when the pulled reference names the configured repository is repository@digest on the host now.
  if (!pullLeavesDigestOnHost(repository, ref)) return image;
  ctx.pulled ??= new Map();
  for (const d of digests) ctx.pulled.set(d.host, new Set([...(ctx.pulled.get(d.host) ?? []), image]));
  return image;
}
