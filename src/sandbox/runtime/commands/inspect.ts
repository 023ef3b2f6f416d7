// docker inspect [--type container|image]: containers by name, id or id prefix, then images.
import { lastValue, parseArgs } from "../args.js";
import { DockerCliError, usageError } from "../cli-error.js";
import { findContainer } from "../container-record.js";
import type { CliContext } from "../context.js";
import { inspectView } from "../views.js";
import { findImageView, printObjects } from "./image-inspect.js";

export async function inspectCommand(ctx: CliContext, argv: string[], forcedType?: "container"): Promise<number> {
  const command = forcedType ? "container inspect" : "inspect";
  const args = parseArgs(command, argv, [
    { long: "format", short: "f", kind: "value" },
    { long: "type", kind: "value" },
    { long: "size", short: "s", kind: "bool" },
  ]);
  if (args.positionals.length === 0) throw usageError(command, `"docker ${command}" requires at least 1 argument.`);
  const type = forcedType ?? lastValue(args, "type");
  if (type !== undefined && type !== "container" && type !== "image") {
    throw new DockerCliError(`"${type}" is not a valid value for --type`, 1);
  }
  const found: unknown[] = [];
  const errors: string[] = [];
  for (const name of args.positionals) {
    const container = type === "image" ? null : await findContainer(ctx.paths, name);
    const view = container ? inspectView(container, ctx.paths) : type === "container" ? null : await findImageView(ctx, name);
    if (view) found.push(view);
    else errors.push(`Error: No such ${type ?? "object"}: ${name}`);
  }
  printObjects(ctx, found, lastValue(args, "format"));
  if (errors.length > 0) throw new DockerCliError(errors.join("\n"), 1);
  return 0;
}
