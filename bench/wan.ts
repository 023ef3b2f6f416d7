// One release with every AWS call, Telegram call and host command delayed by a simulated WAN round
// trip (the emulators' latency faults and the local transport's latency), against the same
// release's call depth: the least wall time those calls can take one after another.
import { configuredWaitsOf } from "./release-scenario.js";
import type { BenchWorld } from "./world.js";

export const WAN_MS = 150;

export interface WanRun {
  image: string;
  outcome: string;
  wallMs: number;
  /** Wall time above the configured waits (configuredWaitsOf: the gates' passes, the bake, the ALB's threshold after a registration). */
  aboveWaitsMs: number;
  depth: number;
  /** 3 x depth x the round trip: the target for aboveWaitsMs. */
  targetMs: number;
  calls: number;
}

export async function wanRelease(w: BenchWorld, image: string, log: (s: string) => void): Promise<WanRun> {
  w.world.aws.control.addFault({ action: "*", kind: "latency", latencyMs: WAN_MS });
  await w.tg("faults", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ method: "*", kind: "latency", latencyMs: WAN_MS }),
  });
  try {
    const r = await w.cli(["release", "bench", "--image", image, "--json"], 300_000, { BLUEGREEN_SANDBOX_LATENCY_MS: String(WAN_MS) });
    const depth = r.calls?.depth ?? Number.NaN;
    const c = r.calls;
    const calls = c === undefined ? Number.NaN : [c.aws, c.telegram, c.host, c.hostHttp].flatMap((b) => Object.values(b)).reduce((a, b) => a + b, 0);
    const run: WanRun = {
      image,
      outcome: String(r.result?.outcome ?? `exit ${r.code}`),
      wallMs: r.wallMs,
      aboveWaitsMs: r.wallMs - configuredWaitsOf(r.result?.steps),
      depth,
      targetMs: 3 * depth * WAN_MS,
      calls,
    };
    log(
      `  WAN release ${image}: ${run.outcome} in ${Math.round(r.wallMs)} ms (${Math.round(run.aboveWaitsMs)} above waits), depth ${depth}, ${calls} calls, target ${run.targetMs} ms`,
    );
    return run;
  } finally {
    w.world.aws.control.clearFaults();
    await w.tg("faults", { method: "DELETE" });
  }
}
