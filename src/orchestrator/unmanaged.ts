// Adoption: what serves traffic when bluegreen has not released yet ("unmanaged": no bluegreen:*
// tags, any container name, no labels). Read once per command (docker ps on every host plus the
// target health of the groups the listener forwards to); nothing here changes anything. The hosts'
// listing needs nothing from the world, so `status` reads it in the same round as its observe
// (listHostContainers, then adoptionFrom).
import { type ColourChoice, chooseReleaseColour, servesTraffic } from "../domain/traffic.js";
import { COLOURS, type Colour, type UnmanagedRef } from "../domain/types.js";
import type { ExecResult } from "../ports.js";
import { parseBatch } from "../remote/batch.js";
import { docker, LABEL } from "../remote/docker.js";
import { preflightProbe } from "../remote/phases.js";
import type { ConnectedHost, Ctx } from "./context.js";
import { mapLimit } from "./context.js";
import { colourArns, type HostProbe, readWorldListener, type World } from "./observe.js";

/** A container on a host as `docker ps --all` lists it. */
export interface HostContainer {
  instanceId: string;
  name: string;
  image: string;
  running: boolean;
  /** Host ports it publishes (only while running). */
  hostPorts: number[];
  /** It carries bluegreen's colour label for this environment: one of ours. */
  ours: boolean;
}

export interface UnmanagedRelease {
  targetGroupArn: string;
  targetGroupName: string;
  /** The colour whose target group it is, when the legacy release sits on one of ours (e.g. bot-blue). */
  colour: Colour | null;
  /** The instances and ports registered in its target group (not draining). */
  targets: { id: string; port: number; state: string }[];
  /** The containers that publish those ports on each host. */
  containers: { instanceId: string; name: string; image: string; hostPort: number }[];
  webhookUrl: string;
  /** live: nothing was released by bluegreen yet; previous: the first release adopted it and it still runs. */
  role: "live" | "previous";
}

export interface Adoption {
  containers: HostContainer[];
  unmanaged: UnmanagedRelease | null;
  /** Colours whose host port or container name a running container that serves traffic holds. */
  blockedPorts: Colour[];
  /** The colour a release stages on (plan and release share it). */
  choice: ColourChoice;
  /** Problems that make a release unsafe, each naming the container and the fix (preflight errors). */
  problems: { message: string; remedy: string }[];
  /** With `engine`: each host's `docker version` and `df` answers, read in the same exec as its containers (the preflight judges them). */
  engines?: Map<string, EngineFacts>;
}

/** What the preflight judges about a host's engine. */
export interface EngineFacts {
  version: ExecResult;
  df: ExecResult;
}

interface PsJson {
  Names?: string;
  Image?: string;
  State?: string;
  Ports?: string;
  Labels?: string;
}

/** `docker ps --all --format {{json .}}` lines: Ports like "0.0.0.0:5000->5000/tcp, :::5000->5000/tcp", Labels "k=v,k=v". */
export function parsePs(instanceId: string, stdout: string, environment: string): HostContainer[] {
  return stdout.split("\n").flatMap((line) => {
    if (line.trim() === "") return [];
    let j: PsJson;
    try {
      j = JSON.parse(line) as PsJson;
    } catch {
      return [];
    }
    const labels = new Map(
      (j.Labels ?? "").split(",").flatMap((kv) => (kv.includes("=") ? [[kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)] as const] : [])),
    );
    const hostPorts = [...new Set([...(j.Ports ?? "").matchAll(/:(\d+)->/g)].map((m) => Number(m[1])))];
    const colour = labels.get(LABEL.colour);
    return [
      {
        instanceId,
        name: (j.Names ?? "").split(",")[0] ?? "",
        image: j.Image ?? "",
        running: j.State === "running" || j.State === "restarting",
        hostPorts,
        ours: (colour === "blue" || colour === "green") && labels.get(LABEL.environment) === environment,
      },
    ];
  });
}

async function listContainers(
  ctx: Ctx,
  h: ConnectedHost,
  engines: Map<string, EngineFacts> | undefined,
  probed: HostProbe | undefined,
): Promise<HostContainer[]> {
  let res: ExecResult;
  if (probed !== undefined) {
    // The world's own observe read this host's probe in the exec that read its containers (#17).
    engines?.set(h.instanceId, { version: probed.version, df: probed.df });
    res = probed.ps;
  } else if (engines === undefined) res = await h.remote.exec(docker.listAll());
  else {
    // One round trip for the preflight's engine checks and this listing (#17).
    const argv = preflightProbe();
    const [version, df, ps] = parseBatch(argv, await h.remote.exec(argv));
    const none = { code: 255, stdout: "", stderr: "" };
    engines.set(h.instanceId, { version: version ?? none, df: df ?? none });
    res = ps ?? none;
  }
  return res.code === 0 ? parsePs(h.instanceId, res.stdout, ctx.settings.environment) : [];
}

export function groupName(arn: string): string {
  return arn.split(":targetgroup/")[1]?.split("/")[0] ?? arn;
}

/** What every host runs (`docker ps --all`); with `engine` also what the preflight checks, in the same exec. */
export interface HostListing {
  containers: HostContainer[];
  engines?: Map<string, EngineFacts>;
}

/**
 * One exec per host; independent of the world, so it can run in the same round as the observe.
 * `probed`: hosts whose listing (and engine answers) a release's first look already read (#17): no exec for them.
 */
export async function listHostContainers(ctx: Ctx, opts: { engine?: boolean; probed?: Map<string, HostProbe> } = {}): Promise<HostListing> {
  const engines = opts.engine === true ? new Map<string, EngineFacts>() : undefined;
  const containers = (
    await mapLimit(ctx.hosts, ctx.settings.rollout.hostConcurrency, (h) => listContainers(ctx, h, engines, opts.probed?.get(h.instanceId)))
  ).flat();
  return { containers, ...(engines !== undefined ? { engines } : {}) };
}

interface CandidateGroup {
  arn: string;
  colour: Colour | null;
  targets: { id: string; port: number; state: string }[];
}

/**
 * Every group the listener sends to (whatever the tags say), plus the recorded unmanaged group, with
 * its targets. A colour's group is already in the world; only another group's health is a call.
 */
async function candidateGroups(ctx: Ctx, world: World): Promise<CandidateGroup[]> {
  const arns = colourArns(ctx);
  const reading = readWorldListener(ctx, world.listener, world.webhook.url);
  const recorded = world.tags.unmanaged;
  const candidates = [...new Set([...reading.receiving, ...(recorded !== null ? [recorded.targetGroupArn] : [])])];
  return Promise.all(
    candidates.map(async (arn) => {
      const colour = COLOURS.find((c) => arns[c] === arn) ?? null;
      const targets = colour !== null ? world.health[colour] : await ctx.lb.targetHealth(arn).catch(() => []);
      return { arn, colour, targets: targets.filter((t) => t.state !== "draining") };
    }),
  );
}

/**
 * The unmanaged release (live or previous), the port holders, and the colour a release would use.
 * `engine`: also read what the preflight checks on each host (a release), in the same exec.
 */
export async function observeAdoption(ctx: Ctx, world: World, opts: { engine?: boolean } = {}): Promise<Adoption> {
  const probed = world.probe !== undefined ? { probed: world.probe } : {};
  const [listing, healths] = await Promise.all([listHostContainers(ctx, { ...opts, ...probed }), candidateGroups(ctx, world)]);
  return judgeAdoption(ctx, world, listing, healths);
}

/** observeAdoption from a listing read earlier (in the observe's round); another group's health is still read here. */
export async function adoptionFrom(ctx: Ctx, world: World, listing: HostListing): Promise<Adoption> {
  return judgeAdoption(ctx, world, listing, await candidateGroups(ctx, world));
}

function judgeAdoption(ctx: Ctx, world: World, listing: HostListing, healths: CandidateGroup[]): Adoption {
  const { containers, engines } = listing;
  const reading = readWorldListener(ctx, world.listener, world.webhook.url);
  const recorded = world.tags.unmanaged;
  const receivingArns = new Set(reading.receiving);
  const serving = healths.filter((g) => g.targets.length > 0 && receivingArns.has(g.arn));
  // The unmanaged release: what serves before the first release, or the recorded one after it.
  const unmanagedGroup = world.tags.live === null ? serving : healths.filter((g) => g.arn === recorded?.targetGroupArn && g.targets.length > 0);
  const problems: Adoption["problems"] = [];
  let unmanaged: UnmanagedRelease | null = null;
  const first = unmanagedGroup[0];
  if (first !== undefined) {
    const holders = containers.filter((c) => c.running && first.targets.some((t) => t.id === c.instanceId && c.hostPorts.includes(t.port)));
    // A group the listener sends to that runs our own labelled containers is a managed release whose tags are gone: not unmanaged.
    if (!holders.some((c) => c.ours)) {
      unmanaged = {
        targetGroupArn: first.arn,
        targetGroupName: first.colour !== null ? ctx.targetGroups[first.colour].name : groupName(first.arn),
        colour: first.colour,
        targets: first.targets.map((t) => ({ id: t.id, port: t.port, state: t.state })),
        containers: holders.map((c) => ({
          instanceId: c.instanceId,
          name: c.name,
          image: c.image,
          hostPort: first.targets.find((t) => t.id === c.instanceId && c.hostPorts.includes(t.port))?.port ?? 0,
        })),
        webhookUrl: world.tags.live === null ? world.webhook.url : (recorded?.webhookUrl ?? ""),
        role: world.tags.live === null ? "live" : "previous",
      };
    }
  }
  if (world.tags.live === null && serving.length > 1) {
    problems.push({
      message: `the listener splits traffic between ${serving.map((g) => groupName(g.arn)).join(" and ")}; bluegreen adopts exactly one serving target group`,
      remedy: "send all traffic to one target group first (aws elbv2 modify-listener), then release",
    });
  }
  // Ports held by running containers registered in a group that receives traffic.
  // A colour the webhook points at is served through its path rule even at weight 0.
  const byWebhook = COLOURS.filter((c) => servesTraffic(world.traffic, ctx.settings.webhook.urls, c)).flatMap((c) =>
    world.health[c].filter((t) => t.state !== "draining"),
  );
  const servingPorts = new Set([...serving.flatMap((g) => g.targets), ...byWebhook].map((t) => `${t.id}:${t.port}`));
  // Ours or not: a container that serves traffic is never replaced, so its port and name are off limits.
  const servingContainers = containers.filter((k) => k.running && k.hostPorts.some((p) => servingPorts.has(`${k.instanceId}:${p}`)));
  const blockedPorts = COLOURS.filter((c) =>
    servingContainers.some((k) => k.hostPorts.includes(ctx.settings.hostPorts[c]) || k.name === `${ctx.settings.container.name}-${c}`),
  );
  const recordedLive = world.tags.live === null ? null : world.tags.live.colour;
  const choice = chooseReleaseColour(world.traffic, ctx.settings.webhook.urls, recordedLive, blockedPorts);
  if (choice.colour !== null) problems.push(...portProblems(ctx, containers, choice.colour));
  return { containers, unmanaged, blockedPorts, choice, problems, ...(engines !== undefined ? { engines } : {}) };
}

/** A container that is not ours on the colour's host port or under its container name: staging would fail or destroy it. */
export function portProblems(ctx: Ctx, containers: HostContainer[], colour: Colour): Adoption["problems"] {
  const port = ctx.settings.hostPorts[colour];
  const name = `${ctx.settings.container.name}-${colour}`;
  return containers
    .filter((c) => !c.ours && ((c.running && c.hostPorts.includes(port)) || c.name === name))
    .map((c) => ({
      message: `${c.instanceId}: container ${c.name} (${c.image}, not started by bluegreen) ${c.running && c.hostPorts.includes(port) ? `holds host port ${port}` : "has the name"} that ${colour} needs, and it serves no traffic`,
      remedy: `if it is a leftover, remove it on that host (\`docker rm -f ${c.name}\`); if it should serve, register it in a target group the listener forwards to; or give ${colour} another colours.${colour}.hostPort`,
    }));
}

export function unmanagedRef(u: UnmanagedRelease): UnmanagedRef {
  return { targetGroupArn: u.targetGroupArn, webhookUrl: u.webhookUrl };
}
