// The handover gap of a polling release, judged by the Telegram emulator: `npm run bench` key
// pollingHandoverGapMs (details.pollingHandover has every figure); alone, one JSON line:
// `node dist/bench/polling-handover.js` after `npx tsc -p tsconfig.build.json`. A steady stream
// runs while polling-v1 -> polling-v2 is released; the figure is the longest time around the handover (the cutover step, which stops
// the old poller) in which Telegram saw no update confirmed (getUpdates offsets), next to the same
// figure for the steady state before it. Also: updates lost (must be 0) and the release's wall time.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { drain, startStream, stopStream } from "./traffic.js";
import { type BenchWorld, BOT_TOKEN, startBenchWorld } from "./world.js";

interface UpdateRec {
  updateId: number;
  createdAt: number;
  acknowledged: boolean;
  acknowledgedAt: number | null;
}

const RATE = 20;

function maxGap(times: number[], from: number, to: number): number {
  const inside = times.filter((t) => t >= from && t <= to).sort((a, b) => a - b);
  let gap = 0;
  for (let i = 1; i < inside.length; i++) gap = Math.max(gap, (inside[i] ?? 0) - (inside[i - 1] ?? 0));
  return gap;
}

const stepAt = (events: Record<string, unknown>[], step: string, status: string): number => {
  const e = events.find((x) => x.step === step && x.status === status);
  return e === undefined ? Number.NaN : Date.parse(String(e.at));
};

export interface HandoverFigures {
  ratePerSecond: number;
  updates: number;
  lost: number;
  releaseWallMs: number;
  handoverStepMs: number;
  /** Longest span with no confirmation from 1 s before the handover step to 3 s after it. */
  handoverGapMs: number;
  /** The same figure over the 3 s of steady state before the release started. */
  steadyGapMs: number;
}

/** polling-v1, then polling-v1 -> polling-v2 under a stream, in a world of one host. */
export async function pollingHandover(w: BenchWorld, log: (s: string) => void): Promise<HandoverFigures> {
  await writeFile(
    join(w.dir, "environments", "poll.yaml"),
    `environment: poll
aws: { region: ap-southeast-2, endpoint: "${w.world.aws.endpoint}" }
hosts:
  ec2: { tags: { app: echo-bot } }
  ssh: { transport: local }
container:
  name: poller
  image: echo-bot
  memoryLimit: 256m
  stopTimeout: 5s
  env: { TELEGRAM_API_BASE: "${w.world.telegram.url}" }
  secrets: { TELEGRAM_BOT_TOKEN: "\${env:ITEST_BOT_TOKEN}" }
  envFileDir: ${w.envFileDir}
telegram: { botToken: "\${env:ITEST_BOT_TOKEN}", apiBase: "${w.world.telegram.url}", mode: polling }
gates: { interval: 500ms, healthyThreshold: 2, timeout: 60s, bake: 5s, maxPendingUpdates: 50, telegramMisses: 3 }
lock: { lease: 2m, dir: ${w.dir}/lock }
`,
  );
  log("release polling-v1 (first)");
  const first = await w.cli(["release", "poll", "--image", "polling-v1", "--json"], 240_000);
  if (first.code !== 0) throw new Error(`first release exited ${first.code}: ${first.stderr}`);
  const stream = await startStream(w, RATE);
  await new Promise((r) => setTimeout(r, 3000));
  log("release polling-v1 -> polling-v2 under a stream");
  const started = Date.now();
  const r = await w.cli(["release", "poll", "--image", "polling-v2", "--json"], 240_000);
  const wallMs = Date.now() - started;
  await new Promise((res) => setTimeout(res, 2000));
  await stopStream(w, stream);
  await drain(w, 30_000);
  if (r.code !== 0) throw new Error(`release exited ${r.code}: ${r.stderr}`);
  const updates = await w.tg<UpdateRec[]>(`updates?token=${encodeURIComponent(BOT_TOKEN)}`);
  const acks = updates.flatMap((u) => (u.acknowledgedAt !== null ? [u.acknowledgedAt] : []));
  const cutStart = stepAt(r.events, "cutover", "start");
  const cutEnd = stepAt(r.events, "cutover", "ok");
  return {
    ratePerSecond: RATE,
    updates: updates.length,
    lost: updates.filter((u) => !u.acknowledged).length,
    releaseWallMs: wallMs,
    handoverStepMs: cutEnd - cutStart,
    handoverGapMs: maxGap(acks, cutStart - 1000, cutEnd + 3000),
    steadyGapMs: maxGap(acks, started - 3000, started),
  };
}

// Run directly: one world, the figures as one JSON line.
if (process.argv[1]?.endsWith("polling-handover.js") === true) {
  const w = await startBenchWorld({ hosts: 1, firstHost: 200 });
  try {
    process.stdout.write(`${JSON.stringify(await pollingHandover(w, (s) => process.stderr.write(`${s}\n`)))}\n`);
  } finally {
    await w.stop();
  }
}
