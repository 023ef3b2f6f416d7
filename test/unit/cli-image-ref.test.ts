// --image REF -> the exact image reference a release pulls, or the exact usage error.
import { describe, expect, it } from "vitest";
import { imageRefFor } from "../../src/cli/env.js";
import { UsageError } from "../../src/errors.js";

const REPO = "123456789012.dkr.ecr.ap-southeast-2.amazonaws.com/telegram-bot";
const HEX = "0123456789abcdef".repeat(4);
const DIGEST = `sha256:${HEX}`;

const notThisRepo = (ref: string, name: string): string =>
  `--image ${JSON.stringify(ref)}: repository ${JSON.stringify(name)} is not this environment's (${REPO})`;
const badTagOrDigest = (ref: string): string => `--image ${JSON.stringify(ref)}: not a valid tag or digest`;
const badDigest = (ref: string): string => `--image ${JSON.stringify(ref)}: not a sha256 digest`;
const badTag = (ref: string): string => `--image ${JSON.stringify(ref)}: not a valid tag`;
/** review s9 F14: these were reported as "repository ... is not this environment's". */
const invalid = (ref: string, chars: string[]): string =>
  `--image ${JSON.stringify(ref)}: not a valid tag or image reference (${chars.map((c) => JSON.stringify(c)).join(", ")} ${chars.length === 1 ? "is" : "are"} not allowed)`;

const ok: [string, string, string][] = [
  ["repository:tag@digest (the digest pins it; the tag is informative)", `${REPO}:v2@${DIGEST}`, `${REPO}:v2@${DIGEST}`],
  ["plain tag", "v2", `${REPO}:v2`],
  ["tag with a colon", ":v2", `${REPO}:v2`],
  ["tag with dots, dashes, underscores", "v1.2.3-rc_1", `${REPO}:v1.2.3-rc_1`],
  ["tag starting with an underscore", "_build", `${REPO}:_build`],
  ["surrounding whitespace is trimmed", "  v2\t", `${REPO}:v2`],
  ["trailing newline is trimmed", "v2\n", `${REPO}:v2`],
  ["128-character tag", "a".repeat(128), `${REPO}:${"a".repeat(128)}`],
  ["digest with @", `@${DIGEST}`, `${REPO}@${DIGEST}`],
  ["bare digest", DIGEST, `${REPO}@${DIGEST}`],
  ["full repository with tag", `${REPO}:v2`, `${REPO}:v2`],
  ["full repository with digest", `${REPO}@${DIGEST}`, `${REPO}@${DIGEST}`],
];

const bad: [string, string, string][] = [
  ["empty", "", "--image is empty"],
  ["only whitespace", " \t ", "--image is empty"],
  ["short digest", `@sha256:${HEX.slice(1)}`, badDigest(`@sha256:${HEX.slice(1)}`)],
  ["uppercase digest", `@sha256:${HEX.toUpperCase()}`, badDigest(`@sha256:${HEX.toUpperCase()}`)],
  ["other algorithm", `@sha512:${HEX}`, badDigest(`@sha512:${HEX}`)],
  ["lone @", "@", badDigest("@")],
  ["lone colon", ":", badTag(":")],
  ["colon then dash", ":-v2", badTag(":-v2")],
  ["129-character tag", "a".repeat(129), badTag("a".repeat(129))],
  ["tag starting with a dot", ".v2", badTag(".v2")],
  ["tag starting with a dash (would be a flag)", "-v2", badTag("-v2")],
  ["wrong repository", "docker.io/library/nginx:latest", notThisRepo("docker.io/library/nginx:latest", "docker.io/library/nginx")],
  ["repository with a registry port", "localhost:5000/telegram-bot:v2", notThisRepo("localhost:5000/telegram-bot:v2", "localhost:5000/telegram-bot")],
  ["same name, other registry", "telegram-bot:v2", notThisRepo("telegram-bot:v2", "telegram-bot")],
  ["repository differs in case", `${REPO.toUpperCase()}:v2`, notThisRepo(`${REPO.toUpperCase()}:v2`, REPO.toUpperCase())],
  ["repository with an empty tag", `${REPO}:`, badTagOrDigest(`${REPO}:`)],
  ["repository with a bad digest", `${REPO}@sha256:nope`, badTagOrDigest(`${REPO}@sha256:nope`)],
  ["repository with a space in the tag", `${REPO}:v 2`, invalid(`${REPO}:v 2`, [" "])],
  ["invalid characters after a colon", "Bad:Tag!", invalid("Bad:Tag!", ["!"])],
  ["shell command substitution", "$(id)", invalid("$(id)", ["$", "(", ")"])],
  ["shell separator", "v2;rm -rf /", invalid("v2;rm -rf /", [";", " "])],
  ["backticks", "`id`", invalid("`id`", ["`"])],
  ["quotes", "'v2'", invalid("'v2'", ["'"])],
  ["inner space", "v2 v3", invalid("v2 v3", [" "])],
  ["unicode letter", "vé", invalid("vé", ["é"])],
  ["emoji", "v2🚀", invalid("v2🚀", ["🚀"])],
  ["NUL byte", "v2\0", invalid("v2\0", ["\0"])],
  ["inner newline", "v2\nv3", invalid("v2\nv3", ["\n"])],
];

describe("imageRefFor", () => {
  it("covers at least 25 references", () => {
    expect(ok.length + bad.length).toBeGreaterThanOrEqual(25);
  });

  it.each(ok)("%s: %j", (_n, ref, want) => {
    expect(imageRefFor(REPO, ref)).toBe(want);
  });

  it.each(bad)("%s: %j", (_n, ref, message) => {
    let error: unknown;
    try {
      imageRefFor(REPO, ref);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).message).toBe(message);
  });

  it("gives an actionable remedy for each kind of error", () => {
    const remedy = (ref: string): string | undefined => {
      try {
        imageRefFor(REPO, ref);
      } catch (e) {
        return (e as UsageError).remedy;
      }
      return "no error";
    };
    expect(remedy("")).toBe("pass a tag (e.g. --image v2) or a digest (--image @sha256:...)");
    expect(remedy("@sha256:x")).toBe("a digest is @sha256: followed by 64 lowercase hex characters");
    expect(remedy(":-x")).toBe("tags use letters, digits, _ . and - (at most 128, not starting with . or -)");
    expect(remedy("other:v2")).toBe("pass just the tag or digest, or fix container.image in the environment file");
    expect(remedy(`${REPO}:`)).toBe("use repository:tag or repository@sha256:<64 hex>");
    const tagRemedy = "tags use letters, digits, _ . and - (at most 128, not starting with . or -), e.g. --image v2; a digest is --image @sha256:<64 hex>";
    expect(remedy("Bad:Tag!")).toBe(tagRemedy);
    expect(remedy("v1 v2")).toBe(tagRemedy);
    expect(remedy(".v2")).toBe(tagRemedy);
  });

  it("a sandbox repository without a registry works the same", () => {
    expect(imageRefFor("echo-bot", "v1")).toBe("echo-bot:v1");
    expect(imageRefFor("echo-bot", "echo-bot:v1")).toBe("echo-bot:v1");
    expect(() => imageRefFor("echo-bot", "echo-bot2:v1")).toThrow(`--image "echo-bot2:v1": repository "echo-bot2" is not this environment's (echo-bot)`);
  });
});
