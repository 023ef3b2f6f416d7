// docker events --since T --until T [--filter k=v]... [--format F]: the past events of this host's
// engine. Filters as docker combines them: values of one key are ORed, different keys ANDed.
// Unlike docker, --until is required: the sandbox prints what happened and does not stream.
import { allValues, lastValue, parseArgs } from "../args.js";
import { DockerCliError, usageError } from "../cli-error.js";
import type { CliContext } from "../context.js";
import { type EngineEvent, readEvents } from "../events.js";
import { renderTemplate } from "../template.js";

const FILTER_KEYS = ["container", "event", "type", "image"] as const;
type FilterKey = (typeof FILTER_KEYS)[number];

const DURATION_UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Go's time.ParseDuration ("90s", "1m30s", "1.5h", "-1s") in milliseconds; null if the text is not one. */
export function parseGoDuration(text: string): number | null {
  const m0 = /^([-+]?)((?:[0-9.]+(?:ns|us|µs|ms|s|m|h))+)$/.exec(text);
  if (m0 === null) return null;
  let ms = 0;
  for (const m of (m0[2] as string).matchAll(/([0-9.]+)(ns|us|µs|ms|s|m|h)/g)) {
    const n = Number(m[1]);
    if (!Number.isFinite(n)) return null;
    ms += n * (DURATION_UNITS[m[2] as string] ?? Number.NaN);
  }
  if (!Number.isFinite(ms)) return null;
  return m0[1] === "-" ? -ms : ms;
}

/**
 * docker's timestamp flags: a duration before now ("10m", "0s"; a negative one is after now, and
 * docker then waits for it), Unix seconds ("1700000000.5") or an RFC 3339 date.
 */
export function parseEventTime(flag: string, text: string, nowMs: number): number {
  const d = text === "0" ? null : parseGoDuration(text);
  if (d !== null) return nowMs - d;
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  if (!Number.isNaN(date)) return date;
  throw usageError("events", `invalid value "${text}" for flag --${flag}: not a duration, Unix timestamp or RFC 3339 date`);
}

function parseFilters(values: string[]): Map<FilterKey, string[]> {
  const filters = new Map<FilterKey, string[]>();
  for (const f of values) {
    const eq = f.indexOf("=");
    const key = f.slice(0, eq);
    if (eq < 0) throw new DockerCliError(`Error response from daemon: bad format of filter (expected name=value)`, 1);
    if (!(FILTER_KEYS as readonly string[]).includes(key)) throw new DockerCliError(`Error response from daemon: invalid filter '${key}'`, 1);
    filters.set(key as FilterKey, [...(filters.get(key as FilterKey) ?? []), f.slice(eq + 1)]);
  }
  return filters;
}

function matches(e: EngineEvent, filters: Map<FilterKey, string[]>): boolean {
  const test: Record<FilterKey, (v: string) => boolean> = {
    container: (v) => v === e.Actor.Attributes.name || (v.length >= 1 && e.Actor.ID.startsWith(v)),
    event: (v) => v === e.Action,
    type: (v) => v === e.Type,
    image: (v) => v === e.from,
  };
  return [...filters].every(([key, values]) => values.some(test[key]));
}

export async function eventsCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const args = parseArgs("events", argv, [
    { long: "since", kind: "value" },
    { long: "until", kind: "value" },
    { long: "filter", short: "f", kind: "list" },
    { long: "format", kind: "value" },
  ]);
  if (args.positionals.length > 0) throw usageError("events", `"docker events" accepts no arguments.`);
  const now = Date.now();
  const untilText = lastValue(args, "until");
  if (untilText === undefined) throw usageError("events", "the sandbox runtime prints past events only: pass --until (e.g. --until 0s)");
  const until = parseEventTime("until", untilText, now);
  // docker streams until a future --until: the sandbox waits it out (capped) so late events are seen.
  if (until > now) await new Promise((r) => setTimeout(r, Math.min(until - now, 5_000)));
  const sinceText = lastValue(args, "since");
  const since = sinceText === undefined ? Number.NEGATIVE_INFINITY : parseEventTime("since", sinceText, now);
  const filters = parseFilters(allValues(args, "filter"));
  const events = (await readEvents(ctx.paths)).filter((e) => {
    const at = e.timeNano / 1e6;
    return at >= since && at <= until && matches(e, filters);
  });
  const format = lastValue(args, "format");
  ctx.out(
    events
      .map((e) => {
        if (format !== undefined) return `${renderTemplate(format, e)}\n`;
        const attrs = Object.entries(e.Actor.Attributes)
          .sort(([a], [b]) => (a < b ? -1 : 1))
          .map(([k, v]) => `${k}=${v}`)
          .join(", ");
        return `${new Date(e.timeNano / 1e6).toISOString()} ${e.Type} ${e.Action} ${e.Actor.ID} (${attrs})\n`;
      })
      .join(""),
  );
  return 0;
}
