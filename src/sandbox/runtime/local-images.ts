// Images pulled onto one sandbox host. Like docker, a local tag keeps pointing at what was pulled
// until the next pull, whatever the registry says meanwhile.
import { mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import { readJsonFile, writeJsonAtomic } from "./atomic-file.js";
import { effectiveTag, type ImageRef } from "./image-ref.js";
import type { HostPaths } from "./paths.js";
import { sha256Digest } from "./registry.js";

export interface LocalImage {
  digest: string;
  variant: string;
  repoTags: string[];
  repoDigests: string[];
  pulledAt: string;
}

interface LocalImages {
  images: Record<string, LocalImage>;
}

/** The image ID (config digest) differs from the manifest digest, as in docker. */
export const imageIdOf = (digest: string) => sha256Digest(`image-config:${digest}`);

async function load(paths: HostPaths): Promise<LocalImages> {
  return (await readJsonFile<LocalImages>(paths.images)) ?? { images: {} };
}

export async function findLocalImage(paths: HostPaths, ref: ImageRef): Promise<LocalImage | null> {
  const { images } = await load(paths);
  const tag = effectiveTag(ref);
  for (const image of Object.values(images)) {
    if (ref.digest !== undefined && image.repoDigests.includes(`${ref.name}@${ref.digest}`)) return image;
    if (tag !== undefined && image.repoTags.includes(`${ref.name}:${tag}`)) return image;
  }
  return null;
}

export async function hasAnyImage(paths: HostPaths): Promise<boolean> {
  return Object.keys((await load(paths)).images).length > 0;
}

/** Records a pull; returns false when it changed nothing ("Image is up to date"). */
export async function recordPull(paths: HostPaths, ref: ImageRef, digest: string, variant: string): Promise<boolean> {
  const state = await load(paths);
  const tag = effectiveTag(ref);
  const repoTag = tag === undefined ? undefined : `${ref.name}:${tag}`;
  const repoDigest = `${ref.name}@${digest}`;
  const image = state.images[digest];
  if (image?.repoDigests.includes(repoDigest) && (!repoTag || image.repoTags.includes(repoTag))) {
    return false;
  }
  for (const other of Object.values(state.images)) {
    if (repoTag) other.repoTags = other.repoTags.filter((t) => t !== repoTag);
  }
  const entry = state.images[digest] ?? { digest, variant, repoTags: [], repoDigests: [], pulledAt: new Date().toISOString() };
  state.images[digest] = entry;
  if (repoTag) entry.repoTags.push(repoTag);
  if (!entry.repoDigests.includes(repoDigest)) entry.repoDigests.push(repoDigest);
  await mkdir(dirname(paths.images), { recursive: true });
  await writeJsonAtomic(paths.images, state);
  return true;
}

const IMAGE_PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/** The ENV lines examples/echo-bot/Dockerfile bakes into each variant's image. */
export function imageEnv(variant: string): string[] {
  return [IMAGE_PATH, "NODE_VERSION=20", `BOT_VARIANT=${variant}`];
}

export function imageView(image: LocalImage): Record<string, unknown> {
  return {
    Id: imageIdOf(image.digest),
    RepoTags: image.repoTags,
    RepoDigests: image.repoDigests,
    Parent: "",
    Comment: "",
    Created: image.pulledAt,
    Config: {
      Env: imageEnv(image.variant),
      ExposedPorts: { "5000/tcp": {} },
      Cmd: ["node", "main.js"],
      WorkingDir: "/app",
      Labels: null,
    },
    Architecture: "amd64",
    Os: "linux",
    Size: 0,
  };
}
