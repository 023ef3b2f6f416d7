// The sandbox's image registry: tags point at digests, digests name a variant of the echo bot.
// A tag can be moved to other content (retag) while the old digest stays pullable, which is what
// lets tests prove that a promotion copies digests rather than tags.
import { createHash } from "node:crypto";
import { mkdir } from "node:fs/promises";
import { BOT_VARIANTS, isBotVariant } from "../../../examples/echo-bot/config.js";
import { readJsonFile, writeJsonAtomic } from "./atomic-file.js";
import { effectiveTag, type ImageRef } from "./image-ref.js";
import { registryFile } from "./paths.js";

export interface SandboxRegistry {
  repositories: Record<string, Record<string, string>>;
  digests: Record<string, { variant: string }>;
}

export const SANDBOX_REPOSITORY = "echo-bot";

export const sha256Digest = (text: string) => `sha256:${createHash("sha256").update(text).digest("hex")}`;

/** Creates registry.json with every variant tag; tags and digests already present are kept. */
export async function initSandboxRegistry(stateRoot: string): Promise<SandboxRegistry> {
  await mkdir(stateRoot, { recursive: true });
  const existing = await readJsonFile<SandboxRegistry>(registryFile(stateRoot));
  const registry: SandboxRegistry = existing ?? { repositories: {}, digests: {} };
  const tags = registry.repositories[SANDBOX_REPOSITORY] ?? {};
  registry.repositories[SANDBOX_REPOSITORY] = tags;
  let changed = existing === null;
  for (const variant of BOT_VARIANTS) {
    if (tags[variant] !== undefined) continue;
    const digest = sha256Digest(`${SANDBOX_REPOSITORY}:${variant}`);
    tags[variant] = digest;
    registry.digests[digest] ??= { variant };
    changed = true;
  }
  if (changed) await writeJsonAtomic(registryFile(stateRoot), registry);
  return registry;
}

/** Points repo:tag at the content of `variant` under a new digest, which it returns. */
export async function retagSandboxImage(stateRoot: string, repo: string, tag: string, variant: string): Promise<string> {
  if (!isBotVariant(variant)) throw new Error(`unknown echo-bot variant "${variant}"`);
  const registry = await initSandboxRegistry(stateRoot);
  const digest = sha256Digest(`${repo}:${tag}=>${variant}`);
  registry.repositories[repo] = { ...registry.repositories[repo], [tag]: digest };
  registry.digests[digest] = { variant };
  await writeJsonAtomic(registryFile(stateRoot), registry);
  return digest;
}

export type RemoteLookup = { ok: true; digest: string; variant: string } | { ok: false; reason: "no-repository" | "no-manifest" };

export function lookupRemote(registry: SandboxRegistry, ref: ImageRef): RemoteLookup {
  const tags = registry.repositories[ref.repository];
  if (!tags) return { ok: false, reason: "no-repository" };
  const digest = ref.digest ?? tags[effectiveTag(ref) ?? "latest"];
  const content = digest === undefined ? undefined : registry.digests[digest];
  if (digest === undefined || content === undefined) return { ok: false, reason: "no-manifest" };
  return { ok: true, digest, variant: content.variant };
}
