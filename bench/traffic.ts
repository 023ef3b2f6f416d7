// A steady update stream from the Telegram emulator, and per-window delivery figures read back
// from its control API (updates: acknowledged/attempts/times; deliveries: every POST attempt).

import { quantile } from "./stats.js";
import { type BenchWorld, BOT_TOKEN } from "./world.js";

interface UpdateRec {
  updateId: number;
  createdAt: number;
  acknowledged: boolean;
  acknowledgedAt: number | null;
  attempts: number;
  dropped: boolean;
}
interface DeliveryRec {
  updateId: number;
  status: number | null;
  startedAt: number;
}

export interface WindowStats {
  updates: number;
  lost: number;
  duplicated: number;
  retried: number;
  failedDeliveries: number;
  p50DelayMs: number;
  p99DelayMs: number;
  maxDelayMs: number;
}

const tokenQ = `token=${encodeURIComponent(BOT_TOKEN)}`;

export async function startStream(w: BenchWorld, ratePerSecond: number): Promise<string> {
  const r = await w.tg<{ streamId: string }>("streams", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ token: BOT_TOKEN, ratePerSecond, durationMs: 30 * 60_000, chatIds: [1, 2, 3, 4, 5] }),
  });
  return r.streamId;
}

export async function stopStream(w: BenchWorld, id: string): Promise<void> {
  await w.tg(`streams/${encodeURIComponent(id)}`, { method: "DELETE" });
}

/** Deadline-bounded wait until every update is acknowledged or dropped (retries are time-scaled). */
export async function drain(w: BenchWorld, deadlineMs = 20_000): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (Date.now() < end) {
    const u = await w.tg<UpdateRec[]>(`updates?${tokenQ}`);
    if (u.every((x) => x.acknowledged || x.dropped)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Figures for updates created inside [from, to] (epoch ms). */
export async function windowStats(w: BenchWorld, from: number, to: number): Promise<WindowStats> {
  const updates = (await w.tg<UpdateRec[]>(`updates?${tokenQ}`)).filter((u) => u.createdAt >= from && u.createdAt <= to);
  const ids = new Set(updates.map((u) => u.updateId));
  const deliveries = (await w.tg<DeliveryRec[]>(`deliveries?${tokenQ}`)).filter((d) => ids.has(d.updateId));
  const ok = new Map<number, number>();
  let failed = 0;
  for (const d of deliveries) {
    if (d.status === 200) ok.set(d.updateId, (ok.get(d.updateId) ?? 0) + 1);
    else failed++;
  }
  const delays = updates.filter((u) => u.acknowledged && u.acknowledgedAt !== null).map((u) => (u.acknowledgedAt ?? 0) - u.createdAt);
  return {
    updates: updates.length,
    lost: updates.filter((u) => !u.acknowledged).length,
    duplicated: [...ok.values()].filter((n) => n > 1).length,
    retried: updates.filter((u) => u.attempts > 1).length,
    failedDeliveries: failed,
    p50DelayMs: quantile(delays, 0.5),
    p99DelayMs: quantile(delays, 0.99),
    maxDelayMs: delays.length ? Math.max(...delays) : Number.NaN,
  };
}
