// Manual `bluegreen rollback`: warm (the previous colour still runs: both switches move at once)
// and cold (the previous colour was stopped: restart it, pass the gates, then move). Wall time of
// the whole command, and the time its two moves took.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import type { CallCounts } from "../src/adapters/call-count.js";
import type { BenchWorld } from "./world.js";

const run = promisify(execFile);

export interface RollbackTimes {
  warmMs: number[];
  coldMs: number[];
  /** Calls each warm rollback made, as the CLI's adapters counted them. */
  warmCalls: CallCounts[];
}

async function previousColour(w: BenchWorld): Promise<string> {
  const st = await w.cli(["status", "bench", "--json"]);
  const prev = (st.events[0] as { previousRelease?: { colour: string } } | undefined)?.previousRelease?.colour;
  if (prev === undefined) throw new Error("no previous release to roll back to");
  return prev;
}

export async function rollbackTimes(w: BenchWorld, runs: number, log: (s: string) => void): Promise<RollbackTimes> {
  const first = await w.cli(["release", "bench", "--image", "v1", "--json"], 300_000);
  const second = await w.cli(["release", "bench", "--image", "v2", "--json"], 300_000);
  if (first.code !== 0 || second.code !== 0) throw new Error(`rollback bench: setup releases failed (${first.code}, ${second.code})`);
  const out: RollbackTimes = { warmMs: [], coldMs: [], warmCalls: [] };
  for (let i = 0; i < runs; i++) {
    const warm = await w.cli(["rollback", "bench", "--json"], 300_000);
    if (warm.code !== 0) throw new Error(`warm rollback failed: ${JSON.stringify(warm.result)}`);
    out.warmMs.push(warm.wallMs);
    if (warm.calls !== undefined) out.warmCalls.push(warm.calls);
    log(`  warm rollback: ${Math.round(warm.wallMs)} ms`);
    const colour = await previousColour(w);
    for (const host of w.world.hostIps) {
      await run("docker", ["stop", "--time", "1", `echo-bot-${colour}`], { env: { ...w.env, BLUEGREEN_SANDBOX_HOST: host }, timeout: 30_000 });
    }
    const cold = await w.cli(["rollback", "bench", "--json"], 300_000);
    if (cold.code !== 0) throw new Error(`cold rollback failed: ${JSON.stringify(cold.result)}`);
    out.coldMs.push(cold.wallMs);
    log(`  cold rollback: ${Math.round(cold.wallMs)} ms`);
  }
  return out;
}
