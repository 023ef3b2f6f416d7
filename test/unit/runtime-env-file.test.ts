import { describe, expect, it } from "vitest";
import { mergeEnv, parseEnvFile, parseEnvFlag, withImageEnv } from "../../src/sandbox/runtime/env-file.js";

const callerEnv: Record<string, string> = { FROM_CALLER: "yes" };
const lookup = (key: string) => callerEnv[key];

describe("docker --env-file format", () => {
  it("keeps values literal: quotes, spaces, = and # inside values", () => {
    const text = [
      "# a comment",
      "",
      "   ",
      "TOKEN=123:abc",
      'QUOTED="kept quotes"',
      "SPACES=  both ends  ",
      "EQUALS=a=b=c",
      "HASH=x # not a comment",
      "  INDENTED=1",
      "EMPTY=",
      "   # indented comment",
    ].join("\n");
    expect(parseEnvFile(text, lookup)).toEqual([
      "TOKEN=123:abc",
      'QUOTED="kept quotes"',
      "SPACES=  both ends  ",
      "EQUALS=a=b=c",
      "HASH=x # not a comment",
      "INDENTED=1",
      "EMPTY=",
    ]);
  });

  it("takes a bare name from the caller's environment, and drops it when unset", () => {
    expect(parseEnvFile("FROM_CALLER\nNOT_SET\n", lookup)).toEqual(["FROM_CALLER=yes"]);
  });

  it("strips a BOM and CRLF line ends", () => {
    expect(parseEnvFile("\uFEFFA=1\r\nB=2\r\n", lookup)).toEqual(["A=1", "B=2"]);
  });

  it("rejects names with whitespace and lines without a name, with docker's texts", () => {
    expect(() => parseEnvFile("BAD NAME=1", lookup)).toThrow("poorly formatted environment: variable 'BAD NAME' contains whitespaces");
    expect(() => parseEnvFile("=value", lookup)).toThrow("poorly formatted environment: no variable name on line '=value'");
  });
});

describe("--env and merging", () => {
  it("passes K=V through and copies a bare K from the caller", () => {
    expect(parseEnvFlag("A=1", lookup)).toBe("A=1");
    expect(parseEnvFlag("FROM_CALLER", lookup)).toBe("FROM_CALLER=yes");
    expect(parseEnvFlag("NOT_SET", lookup)).toBeNull();
    expect(() => parseEnvFlag("=x", lookup)).toThrow("invalid environment variable: =x");
  });

  it("lets later entries win in the first one's position", () => {
    expect(mergeEnv(["A=1", "B=2"], ["A=3", "C=4"])).toEqual(["A=3", "B=2", "C=4"]);
  });

  it("puts the user's env first, then the image env it does not override (docker's merge)", () => {
    expect(withImageEnv(["PATH=/bin", "BOT_VARIANT=v1"], ["X=1", "PATH=/opt"])).toEqual(["X=1", "PATH=/opt", "BOT_VARIANT=v1"]);
  });
});
