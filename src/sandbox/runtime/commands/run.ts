// docker run --detach: create the container record, allocate its port, start its supervisor.
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync } from "node:fs";
import { withHelp } from "../cli-error.js";
import { type ContainerRecord, createContainer, createdState, readContainer, writeContainer } from "../container-record.js";
import type { CliContext } from "../context.js";
import { withImageEnv } from "../env-file.js";
import { type ImageRef, InvalidReferenceError, parseImageRef } from "../image-ref.js";
import { launchSupervisor } from "../launch.js";
import { findLocalImage, imageEnv, imageIdOf, type LocalImage } from "../local-images.js";
import { randomContainerName } from "../names.js";
import { portConflict } from "../port-check.js";
import { parseRunArgs, type RunOptions } from "../run-options.js";
import { PullError, pullImage } from "./pull.js";

async function resolveImage(ctx: CliContext, ref: ImageRef, pull: RunOptions["pull"]): Promise<LocalImage> {
  const local = pull === "always" ? null : await findLocalImage(ctx.paths, ref);
  if (local) return local;
  if (pull === "never") throw withHelp("run", `Error response from daemon: No such image: ${ref.original}`);
  if (pull === "missing") ctx.err(`Unable to find image '${ref.original}' locally\n`);
  try {
    // docker run reports pull progress on stderr, keeping stdout for the container id.
    return await pullImage(ctx, ref, (line) => ctx.err(`${line}\n`));
  } catch (error) {
    if (error instanceof PullError) throw withHelp("run", error.message);
    throw error;
  }
}

function newRecord(options: RunOptions, name: string, ref: ImageRef, image: LocalImage): ContainerRecord {
  return {
    id: randomBytes(32).toString("hex"),
    name,
    created: new Date().toISOString(),
    imageRef: ref.original,
    imageId: imageIdOf(image.digest),
    digest: image.digest,
    variant: image.variant,
    labels: options.labels,
    env: withImageEnv(imageEnv(image.variant), options.env),
    memoryBytes: options.memoryBytes,
    restartPolicy: options.restartPolicy,
    ports: options.ports,
    logDriver: options.logDriver,
    logOpts: options.logOpts,
    state: createdState(),
    restartCount: 0,
    manuallyStopped: false,
    supervisor: null,
    bot: null,
  };
}

export async function runCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const options = parseRunArgs(
    argv,
    (key) => ctx.env[key],
    (path) => readFileSync(path, "utf8"),
  );
  let ref: ImageRef;
  try {
    ref = parseImageRef(options.image);
  } catch (error) {
    if (error instanceof InvalidReferenceError) throw withHelp("run", error.message);
    throw error;
  }
  const image = await resolveImage(ctx, ref, options.pull);
  const record = newRecord(options, options.name ?? randomContainerName(), ref, image);
  mkdirSync(ctx.paths.containers, { recursive: true });
  if (!(await createContainer(ctx.paths, record))) {
    const existing = await readContainer(ctx.paths, record.name);
    throw withHelp(
      "run",
      `Error response from daemon: Conflict. The container name "/${record.name}" is already in use by container "${existing?.id ?? ""}". You have to remove (or rename) that container to be able to reuse that name.`,
    );
  }
  const conflict = await portConflict(ctx.paths, record);
  if (conflict !== null) {
    // As in docker, the container stays behind in "created" with the error recorded.
    await writeContainer(ctx.paths, { ...record, state: { ...record.state, ExitCode: 128, Error: conflict } });
    throw withHelp("run", `Error response from daemon: ${conflict}`);
  }
  await launchSupervisor(ctx, record);
  ctx.out(`${record.id}\n`);
  return 0;
}
