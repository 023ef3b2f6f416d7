// Durations in config and on the command line ("500ms", "30s", "5m", "1h30m") as milliseconds.
// Units must come largest first and at most once each, like Go's time.ParseDuration output, so a
// typo such as "30m1h" or "5 m" is rejected instead of silently meaning something else.

const UNIT_MS = { h: 3_600_000, m: 60_000, s: 1_000, ms: 1 } as const;
type Unit = keyof typeof UNIT_MS;
const ORDER: readonly Unit[] = ["h", "m", "s", "ms"];

/** The accepted syntax, for JSON Schema and error messages. */
export const DURATION_PATTERN = "^(?=\\d)(?:\\d+(?:\\.\\d+)?h)?(?:\\d+(?:\\.\\d+)?m(?!s))?(?:\\d+(?:\\.\\d+)?s)?(?:\\d+ms)?$";

const PART = /(\d+(?:\.\d+)?)(ms|h|m|s)/y;

/** "1h30m" -> 5400000; null when the text is not a duration (empty, bare number, unknown unit, wrong order). */
export function parseDuration(text: string): number | null {
  if (text.length === 0) return null;
  PART.lastIndex = 0;
  let total = 0;
  let lastUnitIndex = -1;
  while (PART.lastIndex < text.length) {
    const start = PART.lastIndex;
    const match = PART.exec(text);
    if (match === null || match.index !== start) return null;
    const amount = Number(match[1]);
    const unit = match[2] as Unit;
    const unitIndex = ORDER.indexOf(unit);
    if (unitIndex <= lastUnitIndex) return null;
    // Milliseconds are written whole: "1.0ms" is as much a typo as "1.5ms" (the schema's pattern
    // says the same, so config validation and the CLI agree on every text).
    if (unit === "ms" && (match[1] ?? "").includes(".")) return null;
    lastUnitIndex = unitIndex;
    total += amount * UNIT_MS[unit];
  }
  if (!Number.isFinite(total) || total > Number.MAX_SAFE_INTEGER) return null;
  return Math.round(total);
}

/** 5400000 -> "1h30m", 1500 -> "1s500ms", 0 -> "0s". Always parses back to the same number. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  if (ms < 0) return `-${formatDuration(-ms)}`;
  let rest = Math.round(ms);
  if (rest === 0) return "0s";
  let text = "";
  for (const unit of ORDER) {
    const size = UNIT_MS[unit];
    const amount = Math.floor(rest / size);
    if (amount > 0) {
      text += `${amount}${unit}`;
      rest -= amount * size;
    }
  }
  return text;
}
