// Release time with N hosts per colour (same config, the default rollout.hostConcurrency), no
// stream, with the CLI's own CPU time: the sandbox's hosts share the machine's cores with it.
import type { BenchWorld } from "./world.js";

export interface ScaleRun {
  wallMs: number;
  /** CPU time (user + system) of the bluegreen process itself. */
  cliCpuMs: number;
  hostCommands: number;
}

export async function releaseTimes(w: BenchWorld, images: string[], log: (s: string) => void): Promise<ScaleRun[]> {
  const first = await w.cli(["release", "bench", "--image", "v1", "--json"], 300_000);
  if (first.code !== 0) throw new Error(`scale initial release failed: ${JSON.stringify(first.result)} ${first.stderr.slice(0, 300)}`);
  const out: ScaleRun[] = [];
  for (const image of images) {
    const r = await w.cli(["release", "bench", "--image", image, "--json"], 300_000);
    if (r.code !== 0) throw new Error(`scale release ${image} failed: ${JSON.stringify(r.result)}`);
    const cpu = r.calls?.cpuMs ?? Number.NaN;
    const hostCommands = Object.values(r.calls?.host ?? {}).reduce((a, b) => a + b, 0);
    log(`  ${w.world.hostIps.length} host(s) release ${image}: ${Math.round(r.wallMs)} ms, CLI CPU ${cpu} ms, ${hostCommands} host commands`);
    out.push({ wallMs: r.wallMs, cliCpuMs: cpu, hostCommands });
  }
  return out;
}
