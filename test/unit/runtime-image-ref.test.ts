import { describe, expect, it } from "vitest";
import { canonicalRef, familiarRef, parseImageRef } from "../../src/sandbox/runtime/image-ref.js";

const D = `sha256:${"ab".repeat(32)}`;

describe("parseImageRef", () => {
  it("reads a bare Docker Hub name with a tag", () => {
    expect(parseImageRef("echo-bot:v1")).toEqual({
      original: "echo-bot:v1",
      name: "echo-bot",
      domain: undefined,
      remotePath: "library/echo-bot",
      repository: "echo-bot",
      tag: "v1",
      digest: undefined,
    });
  });

  it("reads a registry path and keeps the last component as the repository", () => {
    expect(parseImageRef("123456789012.dkr.ecr.ap-southeast-2.amazonaws.com/team/echo-bot:v2")).toMatchObject({
      name: "123456789012.dkr.ecr.ap-southeast-2.amazonaws.com/team/echo-bot",
      domain: "123456789012.dkr.ecr.ap-southeast-2.amazonaws.com",
      remotePath: "team/echo-bot",
      repository: "echo-bot",
      tag: "v2",
    });
    expect(parseImageRef("any/registry/path/echo-bot:v1")).toMatchObject({
      domain: undefined,
      remotePath: "any/registry/path/echo-bot",
      repository: "echo-bot",
    });
  });

  it("does not mistake a registry port for a tag", () => {
    expect(parseImageRef("localhost:5000/echo-bot")).toMatchObject({ domain: "localhost:5000", name: "localhost:5000/echo-bot", tag: undefined });
    expect(parseImageRef("127.0.0.1:5000/echo-bot:v3")).toMatchObject({ domain: "127.0.0.1:5000", tag: "v3" });
  });

  it("reads digests, with and without a tag", () => {
    expect(parseImageRef(`echo-bot@${D}`)).toMatchObject({ name: "echo-bot", tag: undefined, digest: D });
    expect(parseImageRef(`echo-bot:v1@${D}`)).toMatchObject({ name: "echo-bot", tag: "v1", digest: D });
  });

  it.each([
    ["", "invalid reference format"],
    ["echo-bot:", "invalid reference format"],
    ["echo-bot@sha256:abc", "invalid reference format"],
    ["echo bot:v1", "invalid reference format"],
    ["echo-bot:v1:v2", "invalid reference format"],
    ["-echo:v1", "invalid reference format"],
    ["Echo-Bot:v1", "invalid reference format: repository name (library/Echo-Bot) must be lowercase"],
    ["team/Echo:v1", "invalid reference format: repository name (team/Echo) must be lowercase"],
  ])("rejects %j with %j", (text, message) => {
    expect(() => parseImageRef(text)).toThrow(message);
  });

  it("names images the way docker's messages do", () => {
    expect(familiarRef(parseImageRef("echo-bot"))).toBe("echo-bot:latest");
    expect(familiarRef(parseImageRef(`echo-bot:v1@${D}`))).toBe(`echo-bot@${D}`);
    expect(canonicalRef(parseImageRef("echo-bot:v1"))).toBe("docker.io/library/echo-bot:v1");
    expect(canonicalRef(parseImageRef("team/echo-bot:v1"))).toBe("docker.io/team/echo-bot:v1");
    expect(canonicalRef(parseImageRef("localhost:5000/echo-bot:v1"))).toBe("localhost:5000/echo-bot:v1");
  });
});
