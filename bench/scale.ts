// Release time with N hosts per colour (same config, the default rollout.hostConcurrency), no
// stream, with the CLI's own CPU time: the sandbox's hosts share the machine's cores with it.
import { readFileSync } from "node:fs";
import type { BenchWorld } from "./world.js";

/**
 * CPU time every process on the machine used so far (user + nice + system + irq + softirq, in ms,
 * from /proc/stat): a release's share shows what the sandbox's hosts (their docker stand-in is a
 * Node process per command, their bots Node servers) cost next to the CLI on the same cores.
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
  hostCommands: number;
}

export async function releaseTimes(w: BenchWorld, images: string[], log: (s: string) => void): Promise<ScaleRun[]> {
  const first = await w.cli(["release", "bench", "--image", "v1", "--json"], 300_000);
  if (first.code !== 0) throw new Error(`scale initial release failed: ${JSON.stringify(first.result)} ${first.stderr.slice(0, 300)}`);
  const out: ScaleRun[] = [];
  for (const image of images) {
    const cpuBefore = machineCpuMs();
    const r = await w.cli(["release", "bench", "--image", image, "--json"], 300_000);
    const machine = machineCpuMs() - cpuBefore;
    if (r.code !== 0) throw new Error(`scale release ${image} failed: ${JSON.stringify(r.result)}`);
    const cpu = r.calls?.cpuMs ?? Number.NaN;
    const hostCommands = Object.values(r.calls?.host ?? {}).reduce((a, b) => a + b, 0);
    log(
      `  ${w.world.hostIps.length} host(s) release ${image}: ${Math.round(r.wallMs)} ms, CLI CPU ${cpu} ms, machine CPU ${machine} ms, ${hostCommands} host commands`,
    );
    out.push({ wallMs: r.wallMs, cliCpuMs: cpu, machineCpuMs: machine, hostCommands });
  }
  return out;
}
