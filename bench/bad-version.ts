// How many updates reach a bad version before the rollback: the same failure (webhook-500, a bot
// that answers every update with 500) released all-at-once and as a canary at 10%, under the same
// stream, with one webhook URL and gates.metrics.maxTarget5xx: 0 catching it. An update "reached the
// bad version" when one of its deliveries was answered 500 (only the bad bot answers 500; the ALB's
// own errors are 502-504). Telegram retries it, so none is lost either way.
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { drain, startStream, stopStream, windowStats } from "./traffic.js";
import { type BenchWorld, BOT_TOKEN } from "./world.js";

export interface BadVersionRun {
  strategy: "all-at-once" | "canary 10%";
  outcome: string;
  /** Distinct updates that got a 500 from the bad version. */
  updatesReachingBad: number;
  /** Deliveries the bad version answered 500 (Telegram retries an update, so one may count several times). */
  deliveriesToBad: number;
  /** Delay from an update's creation to its acknowledgement, for updates created while the release ran. */
  p99DelayMs: number;
  maxDelayMs: number;
  /** Updates created while the release ran. */
  updates: number;
  lost: number;
  wallMs: number;
}

export const BAD_VERSION_WORLD = {
  sharedWebhook: true,
  strategy: "all-at-once",
  gateExtras: "  metrics: { maxTarget5xx: 0 }\n",
} as const;

const STRATEGIES = { "all-at-once": "all-at-once", "canary 10%": "{ canary: { percent: 10, hold: 30s } }" } as const;

async function useStrategy(w: BenchWorld, strategy: string): Promise<void> {
  const file = join(w.dir, "environments", "bench.yaml");
  const yaml = await readFile(file, "utf8");
  await writeFile(file, yaml.replace(/, strategy: .*? \}\n/, `, strategy: ${strategy} }\n`));
}

interface DeliveryRec {
  updateId: number;
  status: number | null;
  startedAt: number;
}

export async function badVersionExposure(w: BenchWorld, runs: number, rate: number, log: (s: string) => void): Promise<BadVersionRun[]> {
  const first = await w.cli(["release", "bench", "--image", "v1", "--json"], 300_000);
  if (first.code !== 0) throw new Error(`bad-version bench: first release failed: ${JSON.stringify(first.result)}`);
  const stream = await startStream(w, rate);
  const windows: { strategy: BadVersionRun["strategy"]; outcome: string; from: number; to: number }[] = [];
  try {
    await new Promise((r) => setTimeout(r, 1000));
    for (let i = 0; i < runs; i++) {
      for (const strategy of ["all-at-once", "canary 10%"] as const) {
        await useStrategy(w, STRATEGIES[strategy]);
        const from = Date.now();
        const r = await w.cli(["release", "bench", "--image", "webhook-500", "--json"], 300_000);
        const to = Date.now();
        const outcome = String(r.result?.outcome ?? `exit ${r.code}`);
        windows.push({ strategy, outcome, from, to });
        log(`  webhook-500 ${strategy}: ${outcome} in ${to - from} ms (${String(r.result?.reason ?? "")})`);
      }
    }
  } finally {
    await stopStream(w, stream);
  }
  await drain(w);
  const deliveries = await w.tg<DeliveryRec[]>(`deliveries?token=${encodeURIComponent(BOT_TOKEN)}`);
  const out: BadVersionRun[] = [];
  for (const x of windows) {
    const failed = deliveries.filter((d) => d.status === 500 && d.startedAt >= x.from && d.startedAt <= x.to);
    const stats = await windowStats(w, x.from, x.to);
    out.push({
      strategy: x.strategy,
      outcome: x.outcome,
      updatesReachingBad: new Set(failed.map((d) => d.updateId)).size,
      deliveriesToBad: failed.length,
      updates: stats.updates,
      lost: stats.lost,
      p99DelayMs: stats.p99DelayMs,
      maxDelayMs: stats.maxDelayMs,
      wallMs: x.to - x.from,
    });
  }
  return out;
}
