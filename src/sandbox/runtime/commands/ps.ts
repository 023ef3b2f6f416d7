// docker ps: newest first, running only unless --all (or a status filter), filters as docker combines them.
import { allValues, lastValue, parseArgs } from "../args.js";
import { DockerCliError } from "../cli-error.js";
import { type ContainerRecord, listContainers } from "../container-record.js";
import type { CliContext } from "../context.js";
import { renderTemplate } from "../template.js";
import { psView, table } from "../views.js";

const FILTER_KEYS = ["label", "name", "status", "id"];

export function parseFilters(filters: string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const filter of filters) {
    const eq = filter.indexOf("=");
    if (eq < 0) throw new DockerCliError(`Error response from daemon: bad format of filter (expected name=value)`, 1);
    const key = filter.slice(0, eq);
    if (!FILTER_KEYS.includes(key)) throw new DockerCliError(`Error response from daemon: invalid filter '${key}'`, 1);
    out.set(key, [...(out.get(key) ?? []), filter.slice(eq + 1)]);
  }
  return out;
}

/** label filters must all match; name, status and id filters match when any of them does. */
export function matchesFilters(record: ContainerRecord, filters: Map<string, string[]>): boolean {
  const labelsOk = (filters.get("label") ?? []).every((f) => {
    const eq = f.indexOf("=");
    return eq < 0 ? f in record.labels : record.labels[f.slice(0, eq)] === f.slice(eq + 1);
  });
  const any = (key: string, test: (v: string) => boolean) => {
    const values = filters.get(key);
    return values === undefined || values.some(test);
  };
  return (
    labelsOk &&
    any("name", (v) => record.name.includes(v.replace(/^\//, ""))) &&
    any("status", (v) => record.state.Status === v) &&
    any("id", (v) => record.id.startsWith(v))
  );
}

export async function psCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const args = parseArgs("ps", argv, [
    { long: "all", short: "a", kind: "bool" },
    { long: "filter", short: "f", kind: "list" },
    { long: "format", kind: "value" },
    { long: "quiet", short: "q", kind: "bool" },
    { long: "no-trunc", kind: "bool" },
    { long: "size", short: "s", kind: "bool" },
  ]);
  const filters = parseFilters(allValues(args, "filter"));
  const showAll = args.bools.has("all") || filters.has("status");
  const records = (await listContainers(ctx.paths)).filter(
    (r) => (showAll || r.state.Status === "running" || r.state.Status === "restarting") && matchesFilters(r, filters),
  );
  const noTrunc = args.bools.has("no-trunc");
  const views = records.map((r) => psView(r, noTrunc));
  const format = lastValue(args, "format");
  if (args.bools.has("quiet")) {
    ctx.out(views.map((v) => `${v.ID}\n`).join(""));
  } else if (format !== undefined && format !== "table") {
    ctx.out(views.map((v) => `${renderTemplate(format, v)}\n`).join(""));
  } else {
    const headers = ["CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "NAMES"];
    ctx.out(
      table(
        headers,
        views.map((v) => [v.ID, v.Image, v.Command, v.RunningFor, v.Status, v.Ports, v.Names] as string[]),
      ),
    );
  }
  return 0;
}
