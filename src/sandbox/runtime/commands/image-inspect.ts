// docker image inspect: only images pulled onto this sandbox host are known.
import { lastValue, parseArgs } from "../args.js";
import { DockerCliError, usageError } from "../cli-error.js";
import type { CliContext } from "../context.js";
import { parseImageRef } from "../image-ref.js";
import { findLocalImage, imageView } from "../local-images.js";
import { renderTemplate } from "../template.js";

export async function findImageView(ctx: CliContext, text: string): Promise<Record<string, unknown> | null> {
  let image = null;
  try {
    image = await findLocalImage(ctx.paths, parseImageRef(text));
  } catch {
    return null; // an unparsable reference is simply not found, as in docker
  }
  return image ? imageView(image) : null;
}

/** Prints found objects as docker does (JSON array, or one rendered line each); returns missing ones. */
export function printObjects(ctx: CliContext, objects: unknown[], format: string | undefined): void {
  if (format !== undefined) {
    for (const object of objects) ctx.out(`${renderTemplate(format, object)}\n`);
    return;
  }
  ctx.out(`${JSON.stringify(objects, null, 4)}\n`);
}

export async function imageInspectCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const args = parseArgs("image inspect", argv, [
    { long: "format", short: "f", kind: "value" },
    { long: "platform", kind: "value" },
  ]);
  if (args.positionals.length === 0) {
    throw usageError("image inspect", '"docker image inspect" requires at least 1 argument.');
  }
  const found: unknown[] = [];
  const errors: string[] = [];
  for (const name of args.positionals) {
    const view = await findImageView(ctx, name);
    if (view) found.push(view);
    else errors.push(`Error response from daemon: No such image: ${name}`);
  }
  printObjects(ctx, found, lastValue(args, "format"));
  if (errors.length > 0) throw new DockerCliError(errors.join("\n"), 1);
  return 0;
}
