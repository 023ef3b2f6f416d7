// Memory sizes in docker's syntax ("400m", "1g", "512k", "1024b", "1.5g"): binary multiples, one
// optional unit letter, any case. Parsed to bytes so gates can compare them with docker stats.

const UNIT_BYTES = { b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 } as const;
type Unit = keyof typeof UNIT_BYTES;

/** The accepted syntax, for JSON Schema and error messages. */
export const SIZE_PATTERN = "^\\d+(?:\\.\\d+)?[bBkKmMgG]?$";
const SIZE = /^(\d+(?:\.\d+)?)([bkmg])?$/i;

/** "400m" -> 419430400; a bare number is bytes (as in docker); null when not a size. */
export function parseSize(text: string): number | null {
  const match = SIZE.exec(text);
  if (match === null) return null;
  const unit = (match[2]?.toLowerCase() ?? "b") as Unit;
  const bytes = Math.floor(Number(match[1]) * UNIT_BYTES[unit]);
  return Number.isSafeInteger(bytes) ? bytes : null;
}

/** 419430400 -> "400m"; uses the largest unit that divides exactly, so it parses back unchanged. */
export function formatSize(bytes: number): string {
  if (!Number.isFinite(bytes)) return String(bytes);
  const whole = Math.floor(bytes);
  for (const unit of ["g", "m", "k"] as const) {
    const size = UNIT_BYTES[unit];
    if (whole !== 0 && whole % size === 0) return `${whole / size}${unit}`;
  }
  return `${whole}b`;
}
