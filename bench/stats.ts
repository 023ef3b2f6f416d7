// Small statistics helpers: every reported figure is a median with its min and max over runs.
export interface Summary {
  median: number;
  min: number;
  max: number;
  runs: number[];
}

export function quantile(values: number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const idx = Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1));
  return s[idx] ?? Number.NaN;
}

export function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] ?? Number.NaN) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

export function summarize(runs: number[]): Summary {
  const clean = runs.filter((x) => Number.isFinite(x));
  return {
    median: round(median(clean)),
    min: round(clean.length ? Math.min(...clean) : Number.NaN),
    max: round(clean.length ? Math.max(...clean) : Number.NaN),
    runs: clean.map(round),
  };
}

export const round = (x: number): number => (Number.isFinite(x) ? Math.round(x * 1000) / 1000 : x);

/** Counts occurrences of each string, sorted by name (stable output for the README). */
export function countBy(items: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const i of [...items].sort()) out[i] = (out[i] ?? 0) + 1;
  return out;
}
