// Sizes and durations the way docker prints and parses them (docker/go-units).

export class SizeFormatError extends Error {}

const UNITS: Record<string, number> = { "": 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 };

/** go-units RAMInBytes: "400m", "64MB", "1.5g", "512" (bytes). */
export function parseRamInBytes(text: string): number {
  const match = /^(\d+(?:\.\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$/.exec(text);
  const multiplier = UNITS[(match?.[2] ?? "").toLowerCase()];
  const value = Number(match?.[1]);
  if (!match || multiplier === undefined || !Number.isFinite(value)) {
    throw new SizeFormatError(`invalid size: '${text}'`);
  }
  return Math.floor(value * multiplier);
}

const BINARY = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];

/** go-units BytesSize: "%.4g" of the value in the largest binary unit below it. */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < BINARY.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${Number(value.toPrecision(4))}${BINARY[unit]}`;
}

/** go-units HumanDuration, as in "Up 3 seconds" and "Exited (1) 2 minutes ago". */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < 1) return "Less than a second";
  if (seconds === 1) return "1 second";
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.floor(seconds / 60);
  if (minutes === 1) return "About a minute";
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.floor(ms / 3_600_000 + 0.5);
  if (hours === 1) return "About an hour";
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.floor(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.floor(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24 / 30)} months`;
  return `${Math.floor(ms / 3_600_000 / 24 / 365)} years`;
}

/** Go's time.Time.String() in UTC, as `docker ps` prints CreatedAt. */
export function goTimeString(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} +0000 UTC`;
}

export function percent(value: number): string {
  return `${value.toFixed(2)}%`;
}
