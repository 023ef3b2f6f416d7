// Calls per release in the configuration #17's targets are stated for ("telegramCallsPerRelease <= 12
// with a 3 s bake"). A release makes a fixed set of calls plus one target-health read and one
// getWebhookInfo per gate or bake round, so the count is a property of the gates' settings:
// - TARGET_GATES: the tool's defaults (healthyThreshold 3, bakeEvidence 3, settle 10s, timeout 2m)
//   with bake 3s and interval 3s. The default interval (5s) is refused with a 3 s bake (the bake must
//   last one check), so 3s is the longest legal one: the rounds are the least the defaults demand
//   (3 passing gate checks, 3 bake checks of evidence);
// - SECOND_GATES: the same with interval 1s (more rounds: the bake also watches the webhook until
//   the new containers are 10 s old, gates.settle), reported beside it (details.countsWorld);
// - the main world's fast gates (300 ms apart, healthyThreshold 2, 2 s bake) in
//   details.countedCallsFastGates.
import { type CallCounts, total } from "../src/adapters/call-count.js";
import { stepDurations } from "./release-scenario.js";
import { startStream, stopStream } from "./traffic.js";
import type { BenchWorld } from "./world.js";

/** environmentYaml's gates with the tool's defaults (src/config/schema.ts), bake 3s and interval 3s. */
export const TARGET_GATES = {
  interval: "3s",
  healthyThreshold: 3,
  timeout: "2m",
  bake: "3s",
  settle: "10s",
  bakeEvidence: 3,
  maxPendingUpdates: 100,
  telegramMisses: 3,
};

export const SECOND_GATES = { ...TARGET_GATES, interval: "1s" };

export interface CountedRelease {
  image: string;
  outcome: string;
  wallMs: number;
  calls: CallCounts;
  /** Each step's time (the run's own events): how many gate and bake rounds the counts paid for. */
  stepsMs: Record<string, number>;
}

/**
 * An initial release (it registers the targets: not measured), then `images` one after another,
 * each counted by the CLI's own adapters, with a light update stream flowing as in production.
 */
export async function countedReleases(w: BenchWorld, images: string[], log: (s: string) => void): Promise<CountedRelease[]> {
  const first = await w.cli(["release", "bench", "--image", "v1", "--json"], 300_000);
  if (first.code !== 0) throw new Error(`counts: initial release failed (exit ${first.code}): ${first.stderr.slice(0, 400)} ${JSON.stringify(first.result)}`);
  const stream = await startStream(w, 10);
  const out: CountedRelease[] = [];
  try {
    for (const image of images) {
      const r = await w.cli(["release", "bench", "--image", image, "--json"], 300_000);
      const outcome = String(r.result?.outcome ?? `exit ${r.code}`);
      if (r.code !== 0 || r.calls === undefined) throw new Error(`counts: release ${image} ended ${outcome}: ${r.stderr.slice(0, 400)}`);
      const stepsMs = stepDurations(r);
      out.push({ image, outcome, wallMs: r.wallMs, calls: r.calls, stepsMs });
      log(
        `  release ${image}: ${outcome} in ${Math.round(r.wallMs)} ms (gates ${stepsMs.gates ?? "-"} ms, bake ${stepsMs.bake ?? "-"} ms; host commands ${total(r.calls.host)}, AWS ${total(r.calls.aws)}, Telegram ${total(r.calls.telegram)})`,
      );
    }
  } finally {
    await stopStream(w, stream);
  }
  return out;
}
