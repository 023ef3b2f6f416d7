// docker pull, and the implicit pull of docker run.
import { createHash } from "node:crypto";
import { parseArgs } from "../args.js";
import { DockerCliError, usageError } from "../cli-error.js";
import type { CliContext } from "../context.js";
import { canonicalRef, familiarRef, type ImageRef, InvalidReferenceError, parseImageRef } from "../image-ref.js";
import { findLocalImage, hasAnyImage, type LocalImage, recordPull } from "../local-images.js";
import { initSandboxRegistry, lookupRemote } from "../registry.js";

/** A daemon-side failure: `docker pull` prints it as is, `docker run` wraps it. */
export class PullError extends Error {}

const layerId = (seed: string) => createHash("sha256").update(seed).digest("hex").slice(0, 12);

export async function pullImage(ctx: CliContext, ref: ImageRef, write: (line: string) => void): Promise<LocalImage> {
  const registry = await initSandboxRegistry(ctx.stateRoot);
  const found = lookupRemote(registry, ref);
  if (!found.ok && found.reason === "no-repository") {
    throw new PullError(
      `Error response from daemon: pull access denied for ${ref.name}, repository does not exist or may require 'docker login': denied: requested access to the resource is denied`,
    );
  }
  if (ref.tag === undefined && ref.digest === undefined) write("Using default tag: latest");
  if (!found.ok) {
    throw new PullError(`Error response from daemon: manifest for ${familiarRef(ref)} not found: manifest unknown: manifest unknown`);
  }
  write(`${ref.digest ?? ref.tag ?? "latest"}: Pulling from ${ref.remotePath}`);
  const hadImages = await hasAnyImage(ctx.paths);
  const changed = await recordPull(ctx.paths, ref, found.digest, found.variant);
  if (changed) {
    write(`${layerId("echo-bot base layer")}: ${hadImages ? "Already exists" : "Pull complete"}`);
    write(`${layerId(found.digest)}: Pull complete`);
  }
  write(`Digest: ${found.digest}`);
  write(`Status: ${changed ? "Downloaded newer image for" : "Image is up to date for"} ${familiarRef(ref)}`);
  write(canonicalRef(ref));
  const image = await findLocalImage(ctx.paths, ref);
  if (!image) throw new Error(`sandbox runtime: pulled ${ref.original} but cannot find it locally`);
  return image;
}

export async function pullCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const args = parseArgs("pull", argv, [
    { long: "quiet", short: "q", kind: "bool" },
    { long: "platform", kind: "value" },
    { long: "disable-content-trust", kind: "bool" },
  ]);
  if (args.positionals.length !== 1) throw usageError("pull", '"docker pull" requires exactly 1 argument.');
  let ref: ImageRef;
  try {
    ref = parseImageRef(args.positionals[0] as string);
  } catch (error) {
    if (error instanceof InvalidReferenceError) throw new DockerCliError(error.message, 1);
    throw error;
  }
  const quiet = args.bools.has("quiet");
  const lines: string[] = [];
  try {
    await pullImage(ctx, ref, (line) => lines.push(line));
  } catch (error) {
    if (error instanceof PullError) {
      if (!quiet) ctx.out(lines.map((l) => `${l}\n`).join(""));
      throw new DockerCliError(error.message, 1);
    }
    throw error;
  }
  ctx.out(quiet ? `${lines[lines.length - 1]}\n` : lines.map((l) => `${l}\n`).join(""));
  return 0;
}
