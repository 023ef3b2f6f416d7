// The human table printed by `npm run bench` (pasted into the README).
import type { Summary } from "./stats.js";

const GOALS: Record<string, { goal: string; ok: (m: number) => boolean | undefined }> = {
  cutoverGapRatio: { goal: "<= 1.1", ok: (m) => m <= 1.1 },
  rollbackRatio: { goal: "<= 1.2", ok: (m) => m <= 1.2 },
  releaseOverheadMs: { goal: "<= 2000", ok: (m) => m <= 2000 },
  lostUpdates: { goal: "0", ok: (m) => m === 0 },
  duplicatedUpdates: { goal: "0", ok: (m) => m === 0 },
  baselineFailedDeliveries: { goal: "(baseline)", ok: () => undefined },
  scaleRatio16to1: { goal: "<= 1.5", ok: (m) => m <= 1.5 },
  cliCpuPerHostRatio16to1: { goal: "-", ok: () => undefined },
  simulatedWanReleaseMs: { goal: "<= 3 x depth x 150", ok: () => undefined },
  helpColdStartMs: { goal: "-", ok: () => undefined },
  statusColdStartMs: { goal: "<= 500", ok: (m) => m <= 500 },
  releasePeakRssMb: { goal: "<= 120", ok: (m) => m <= 120 },
  // 2 hosts per colour in the bench: <= 4 per host + 6.
  badVersionUpdatesAllAtOnce: { goal: "(baseline)", ok: () => undefined },
  badVersionUpdatesCanary10: { goal: "< all-at-once", ok: () => undefined },
  badVersionDeliveriesAllAtOnce: { goal: "(baseline)", ok: () => undefined },
  badVersionDeliveriesCanary10: { goal: "< all-at-once", ok: () => undefined },
  badVersionMaxDelayMsAllAtOnce: { goal: "-", ok: () => undefined },
  badVersionMaxDelayMsCanary10: { goal: "-", ok: () => undefined },
  badVersionLostUpdates: { goal: "0", ok: (m) => m === 0 },
  awsCallsPerRelease: { goal: "<= 25", ok: (m) => m <= 25 },
  hostCommandsPerRelease: { goal: "<= 14", ok: (m) => m <= 14 },
  telegramCallsPerRelease: { goal: "<= 12", ok: (m) => m <= 12 },
  awsCallsPerRollback: { goal: "-", ok: () => undefined },
  hostCommandsPerRollback: { goal: "-", ok: () => undefined },
  telegramCallsPerRollback: { goal: "-", ok: () => undefined },
  pollingHandoverGapMs: { goal: "<= 1000", ok: (m) => m <= 1000 },
};

const f = (x: number) => (Number.isInteger(x) ? String(x) : x.toFixed(Math.abs(x) >= 100 ? 0 : 2));

export function renderTable(s: Record<string, Summary>, d: Record<string, unknown>): string {
  const rows = [["metric", "median", "min", "max", "runs", "goal", "met"]];
  for (const [k, v] of Object.entries(s)) {
    const g = GOALS[k];
    const ok = g?.ok(v.median);
    rows.push([k, f(v.median), f(v.min), f(v.max), String(v.runs.length || ""), g?.goal ?? "-", ok === undefined ? "" : ok ? "yes" : "NO"]);
  }
  const extra = (name: string, v: unknown) => {
    const x = v as Summary | undefined;
    if (x?.median !== undefined) rows.push([name, f(x.median), f(x.min), f(x.max), String(x.runs.length), "", ""]);
  };
  const det = d as Record<string, Record<string, unknown>>;
  extra("roundTripSumMs", det.roundTripMs?.sum);
  extra("cutoverGapMs", d.cutoverGapMs);
  extra("rollbackMs", d.rollbackMs);
  extra("releaseWallMs", d.releaseWallMs);
  for (const [k, v] of Object.entries(det.releaseDelayMs ?? {})) extra(`release ${k} delay ms`, v);
  for (const [k, v] of Object.entries(det.rollbackDelayMs ?? {})) extra(`rollback ${k} delay ms`, v);
  for (const k of ["lost", "p50DelayMs", "p99DelayMs", "maxDelayMs", "deployMs"]) extra(`baseline ${k}`, det.baseline?.[k]);
  extra("scale 16/1 per alternated pair", det.scale?.pairRatios);
  extra("scale 1 host ms", det.scale?.oneHostMs);
  extra("scale 16 hosts ms", det.scale?.sixteenHostsMs);
  extra("scale CLI CPU ms, 1 host", det.scale?.cliCpuMsOneHost);
  extra("scale CLI CPU ms, 16 hosts", det.scale?.cliCpuMsSixteenHosts);
  extra("scale machine CPU ms, 1 host", det.scale?.machineCpuMsOneHost);
  extra("scale machine CPU ms, 16 hosts", det.scale?.machineCpuMsSixteenHosts);
  extra("scale containers CPU ms, 1 host", det.scale?.containersCpuMsOneHost);
  extra("scale containers CPU ms, 16 hosts", det.scale?.containersCpuMsSixteenHosts);
  extra("scale emulators CPU ms, 1 host", det.scale?.emulatorsCpuMsOneHost);
  extra("scale emulators CPU ms, 16 hosts", det.scale?.emulatorsCpuMsSixteenHosts);
  extra("scale CLI waiting for a core ms, 1 host", det.scale?.cliRunQueueMsOneHost);
  extra("scale CLI waiting for a core ms, 16 hosts", det.scale?.cliRunQueueMsSixteenHosts);
  extra("call depth per release", d.callDepthPerRelease);
  for (const [k, v] of Object.entries(det.busyMsPerRelease ?? {})) extra(`release: ${k} calls in flight ms`, v);
  extra("manual rollback warm ms", det.manualRollbackMs?.warm);
  extra("manual rollback cold ms", det.manualRollbackMs?.cold);
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length))) ?? [];
  const lines = rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join("  "));
  lines.splice(1, 0, widths.map((w) => "-".repeat(w)).join("  "));
  return `${lines.join("\n")}\n\nsandbox: ${JSON.stringify(d.sandbox)}\napi calls per release (emulators' view): ${JSON.stringify(d.apiCallsPerRelease)}\ncounted in the adapters: ${JSON.stringify(d.countedCalls)}\nsimulated WAN: ${JSON.stringify(d.simulatedWan)}\nstep ms (median): ${JSON.stringify(d.stepMsMedian)}\nscale step ms (median), 1 host: ${JSON.stringify(det.scale?.stepMsMedianOneHost)}, 16 hosts: ${JSON.stringify(det.scale?.stepMsMedianSixteenHosts)}\nscale releases whose gates saw a target unhealthy (a port dark across two ALB checks), 1 host: ${String(det.scale?.releasesWithUnhealthyTargetOneHost)}, 16 hosts: ${String(det.scale?.releasesWithUnhealthyTargetSixteenHosts)}\n`;
}
