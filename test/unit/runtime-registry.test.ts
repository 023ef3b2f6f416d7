// The sandbox registry and a host's pulled images: tags move, digests stay.
import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BOT_VARIANTS } from "../../examples/echo-bot/config.js";
import { parseImageRef } from "../../src/sandbox/runtime/image-ref.js";
import { findLocalImage, imageIdOf, recordPull } from "../../src/sandbox/runtime/local-images.js";
import { hostPaths } from "../../src/sandbox/runtime/paths.js";
import { initSandboxRegistry, lookupRemote, retagSandboxImage } from "../../src/sandbox/runtime/registry.js";

const digestOf = (text: string) => `sha256:${createHash("sha256").update(text).digest("hex")}`;
let root: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "bluegreen-registry-"));
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("sandbox registry", () => {
  it("creates one tag per variant, digest = sha256 of echo-bot:<variant>", async () => {
    const registry = await initSandboxRegistry(root);
    expect(Object.keys(registry.repositories["echo-bot"] ?? {})).toEqual([...BOT_VARIANTS]);
    expect(registry.repositories["echo-bot"]?.v1).toBe(digestOf("echo-bot:v1"));
    expect(registry.digests[digestOf("echo-bot:slow-boot")]).toEqual({ variant: "slow-boot" });
    expect(JSON.parse(await readFile(join(root, "registry.json"), "utf8"))).toEqual(registry);
  });

  it("keeps a retagged tag when initialised again, and the old digest stays resolvable", async () => {
    await initSandboxRegistry(root);
    const moved = await retagSandboxImage(root, "echo-bot", "v2", "crash-on-boot");
    const registry = await initSandboxRegistry(root);
    expect(registry.repositories["echo-bot"]?.v2).toBe(moved);
    expect(lookupRemote(registry, parseImageRef("echo-bot:v2"))).toEqual({ ok: true, digest: moved, variant: "crash-on-boot" });
    expect(lookupRemote(registry, parseImageRef(`echo-bot@${digestOf("echo-bot:v2")}`))).toEqual({
      ok: true,
      digest: digestOf("echo-bot:v2"),
      variant: "v2",
    });
  });

  it("can create a new repository and refuses unknown variants", async () => {
    const digest = await retagSandboxImage(root, "telegram-bot", "2025.1", "v3");
    const registry = await initSandboxRegistry(root);
    expect(lookupRemote(registry, parseImageRef("ecr.example.com/telegram-bot:2025.1"))).toEqual({ ok: true, digest, variant: "v3" });
    await expect(retagSandboxImage(root, "echo-bot", "v9", "nope")).rejects.toThrow('unknown echo-bot variant "nope"');
  });

  it("tells a missing repository from a missing manifest", async () => {
    const registry = await initSandboxRegistry(root);
    expect(lookupRemote(registry, parseImageRef("nobody:v1"))).toEqual({ ok: false, reason: "no-repository" });
    expect(lookupRemote(registry, parseImageRef("echo-bot"))).toEqual({ ok: false, reason: "no-manifest" });
    expect(lookupRemote(registry, parseImageRef(`echo-bot@sha256:${"0".repeat(64)}`))).toEqual({ ok: false, reason: "no-manifest" });
  });
});

describe("a host's pulled images", () => {
  it("moves a local tag only when pulled again, and reports up-to-date pulls", async () => {
    const paths = hostPaths(root, "127.0.1.9");
    const ref = parseImageRef("echo-bot:v2");
    const OLD = `sha256:${"1".repeat(64)}`;
    const NEW = `sha256:${"2".repeat(64)}`;
    expect(await findLocalImage(paths, ref)).toBeNull();
    expect(await recordPull(paths, ref, OLD, "v2")).toBe(true);
    expect(await recordPull(paths, ref, OLD, "v2")).toBe(false);
    expect(await recordPull(paths, ref, NEW, "v3")).toBe(true);
    expect(await findLocalImage(paths, ref)).toMatchObject({ digest: NEW, variant: "v3", repoTags: ["echo-bot:v2"], repoDigests: [`echo-bot@${NEW}`] });
    // The old image is still there by digest, untagged.
    expect(await findLocalImage(paths, parseImageRef(`echo-bot@${OLD}`))).toMatchObject({ digest: OLD, variant: "v2", repoTags: [] });
    // ...but only under the name it was pulled by.
    expect(await findLocalImage(paths, parseImageRef(`other/echo-bot@${OLD}`))).toBeNull();
  });

  it("derives an image ID distinct from the manifest digest", () => {
    expect(imageIdOf("sha256:abc")).toBe(digestOf("image-config:sha256:abc"));
  });
});
