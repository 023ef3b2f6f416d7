// Release time with N hosts per colour (same config, rollout.hostConcurrency 4), no stream.
import type { BenchWorld } from "./world.js";

export async function releaseTimes(w: BenchWorld, images: string[], log: (s: string) => void): Promise<number[]> {
  const first = await w.cli(["release", "bench", "--image", "v1", "--json"], 300_000);
  if (first.code !== 0) throw new Error(`scale initial release failed: ${JSON.stringify(first.result)} ${first.stderr.slice(0, 300)}`);
  const out: number[] = [];
  for (const image of images) {
    const r = await w.cli(["release", "bench", "--image", image, "--json"], 300_000);
    if (r.code !== 0) throw new Error(`scale release ${image} failed: ${JSON.stringify(r.result)}`);
    log(`  ${w.world.hostIps.length} host(s) release ${image}: ${Math.round(r.wallMs)} ms`);
    out.push(r.wallMs);
  }
  return out;
}
