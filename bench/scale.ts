// Release time with N hosts per colour (same config, the default rollout.hostConcurrency), no
// stream, with the CLI's own CPU time: the sandbox's hosts share the machine's cores with it.
import { readFileSync } from "node:fs";
import { stepDurations } from "./release-scenario.js";
import type { BenchWorld } from "./world.js";
import { ContainerCpu } from "./world-cpu.js";

/**
 * CPU time every process on the machine used so far (user + nice + system + irq + softirq, in ms,
 * from /proc/stat): a release's share shows what the sandbox's hosts (a supervisor and a bot, two
 * Node processes, per container) cost next to the CLI on the same cores, plus any other work on
 * the machine (ContainerCpu counts the world's own containers alone).
 */
export function machineCpuMs(): number {
  const cpu = readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "";
  const [, user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0] = cpu.trim().split(/\s+/).map(Number);
  // USER_HZ is 100 on Linux: a tick is 10 ms.
  return (user + nice + system + irq + softirq) * 10;
}

export interface ScaleRun {
  wallMs: number;
  /** CPU time (user + system) of the bluegreen process itself. */
  cliCpuMs: number;
  /** CPU time of every process on the machine during the release (the CLI's included). */
  machineCpuMs: number;
  /** CPU of this world's containers (supervisors + bots) during the release: on real hosts, each host's own. */
  containersCpuMs: number;
  /** CPU of the bench's own process during the release: the AWS and Telegram emulators (and the bench's sampling). */
  emulatorsCpuMs: number;
  /** Time the CLI's main thread (its event loop) was ready to run but waited for a core. */
  cliRunQueueMs: number;
  /** Per step (stage, gates, bake, ...): where the wall time went. */
  stepsMs: Record<string, number>;
  hostCommands: number;
  /**
   * Targets the gates saw `unhealthy` in the ALB: each one's port was dark (old container removed,
   * new bot not listening yet) across two health checks (1 s apart at the bench's time scale), and
   * the gates then wait out the ALB's healthy threshold (2 checks): about 2 s more, whatever the rest.
   */
  unhealthyTargets: number;
}

/** Distinct targets the gates reported unhealthy ("target <id>:<port> is unhealthy (...)"). */
export function unhealthyTargets(events: Record<string, unknown>[]): number {
  const seen = new Set<string>();
  for (const e of events) {
    if (e.step !== "gates" || typeof e.message !== "string") continue;
    const m = /^target (\S+) is unhealthy /.exec(e.message);
    if (m?.[1] !== undefined) seen.add(m[1]);
  }
  return seen.size;
}

/**
 * The world's first two releases (unmeasured): every host gets a container of each colour, both
 * target groups have their targets registered, and the code cache warms. Measured releases are then
 * all alike; a release that registers its targets waits out the ALB's initial health checks (2.5 s
 * on both sides), which made the first measured pair look closer to 1 than the rest.
 */
export async function firstReleases(w: BenchWorld): Promise<void> {
  for (const image of ["v1", "v3"]) {
    const r = await w.cli(["release", "bench", "--image", image, "--json"], 300_000);
    if (r.code !== 0) throw new Error(`scale initial release ${image} failed: ${JSON.stringify(r.result)} ${r.stderr.slice(0, 300)}`);
  }
}

/** One measured release of `image`, with where the machine's CPU went meanwhile. */
export async function measuredRelease(w: BenchWorld, image: string, log: (s: string) => void): Promise<ScaleRun> {
  const containers = new ContainerCpu(w.world.runtimeDir);
  containers.start();
  const ownBefore = process.cpuUsage();
  const cpuBefore = machineCpuMs();
  const r = await w.cli(["release", "bench", "--image", image, "--json"], 300_000);
  const machine = machineCpuMs() - cpuBefore;
  const own = process.cpuUsage(ownBefore);
  const emulators = Math.round((own.user + own.system) / 1000);
  const byKind = containers.stop();
  const containersCpu = byKind.supervisor + byKind.bot;
  const stepsMs = stepDurations(r);
  if (r.code !== 0) throw new Error(`scale release ${image} failed: ${JSON.stringify(r.result)}`);
  const cpu = r.calls?.cpuMs ?? Number.NaN;
  const hostCommands = Object.values(r.calls?.host ?? {}).reduce((a, b) => a + b, 0);
  const unhealthy = unhealthyTargets(r.events);
  log(
    `  ${w.world.hostIps.length} host(s) release ${image}: ${Math.round(r.wallMs)} ms, CLI CPU ${cpu} ms (waited ${Math.round(r.runQueueMs)} ms for a core), ` +
      `containers CPU ${containersCpu} ms (supervisors ${byKind.supervisor}, bots ${byKind.bot}), emulators CPU ${emulators} ms, machine CPU ${machine} ms, ` +
      `${hostCommands} host commands, ${unhealthy} target(s) unhealthy in the gates; steps ${JSON.stringify(stepsMs)}`,
  );
  return {
    wallMs: r.wallMs,
    cliCpuMs: cpu,
    machineCpuMs: machine,
    containersCpuMs: containersCpu,
    emulatorsCpuMs: emulators,
    cliRunQueueMs: r.runQueueMs,
    stepsMs,
    hostCommands,
    unhealthyTargets: unhealthy,
  };
}

export interface ScalePairs {
  one: ScaleRun[];
  sixteen: ScaleRun[];
}

/**
 * The same images released on both worlds in turn (1 host, 16 hosts, then 16, 1, ...): on a shared
 * machine whose load drifts, both sides of the ratio see the same stretch of time. One release per
 * side per image; pair i is one[i] with sixteen[i].
 */
export async function alternatedReleases(one: BenchWorld, sixteen: BenchWorld, images: string[], log: (s: string) => void): Promise<ScalePairs> {
  await firstReleases(one);
  await firstReleases(sixteen);
  const out: ScalePairs = { one: [], sixteen: [] };
  for (const [i, image] of images.entries()) {
    if (i % 2 === 0) {
      out.one.push(await measuredRelease(one, image, log));
      out.sixteen.push(await measuredRelease(sixteen, image, log));
    } else {
      out.sixteen.push(await measuredRelease(sixteen, image, log));
      out.one.push(await measuredRelease(one, image, log));
    }
  }
  return out;
}
