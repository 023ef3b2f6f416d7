// Values from YAML or the command line only ever become single argv words: whatever a label, env
// or image value holds, the argv keeps its shape, and quoteArgv of it is read back by /bin/sh as
// exactly the same words (nothing split, nothing expanded).
import { execFileSync } from "node:child_process";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { runArgv } from "../../src/orchestrator/stage.js";
import { docker } from "../../src/remote/docker.js";
import { envFileContent } from "../../src/remote/files.js";
import { lockCommands, lockPath } from "../../src/remote/lock.js";
import { quoteArgv } from "../../src/remote/quote.js";
import { ctxFor, GOAL } from "../fakes/argv-ctx.js";

/** What a POSIX shell rebuilds from an SSH-style command string: `set -- <string>` then every word NUL-terminated. */
function shellWords(commandLine: string): string[] {
  const out = execFileSync("/bin/sh", ["-c", `set -- ${commandLine}; printf '%s\\0' "$@"`]);
  return out.toString("utf8").split("\0").slice(0, -1);
}

// Anything a YAML file or a terminal can carry: full Unicode without NUL or lone surrogates, plus shell-hostile ASCII.
const hostile = fc.oneof(
  fc.string({ unit: "grapheme", maxLength: 40 }),
  fc.string({ unit: fc.constantFrom(..."'\"`$\\;|&<>(){}[]*?~#!= \t\n\r-%@:/.aZ9"), maxLength: 30 }),
);

describe("argv words (property)", () => {
  it("docker run keeps 22 words and carries each value verbatim in its word", () => {
    fc.assert(
      fc.property(hostile, hostile, hostile, hostile, (environment, name, releaseId, image) => {
        const argv = runArgv(ctxFor({ environment, name }), { ...GOAL, releaseId, image });
        expect(argv).toHaveLength(22);
        expect(argv[4]).toBe(`${name}-green`);
        expect(argv[6]).toBe(`bluegreen.environment=${environment}`);
        expect(argv[10]).toBe(`bluegreen.release=${releaseId}`);
        expect(argv[12]).toBe(`bluegreen.image=${image}`);
        expect(argv[21]).toBe(image);
      }),
      { numRuns: 300 },
    );
  });

  it("quoteArgv of built argvs is read back by /bin/sh as the exact words", () => {
    fc.assert(
      fc.property(hostile, hostile, hostile, hostile, (environment, name, releaseId, image) => {
        const argvs = [
          runArgv(ctxFor({ environment, name, envFileDir: `/tmp/${name}` }), { ...GOAL, releaseId, image }),
          docker.pull(image),
          docker.list(environment),
          lockCommands.breakStale(lockPath(`/var/lock/${name}`, environment), releaseId),
        ];
        for (const argv of argvs) expect(shellWords(quoteArgv(argv))).toEqual(argv);
      }),
      { numRuns: 60 },
    );
  });

  it("env values never leave their line: either one exact KEY=VALUE line or a refusal", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.stringMatching(/^[A-Z_][A-Z0-9_]{0,10}$/), hostile, { maxKeys: 5 }), (env) => {
        const hasBreak = Object.values(env).some((v) => /[\r\n\0]/.test(v));
        if (hasBreak) {
          expect(() => envFileContent(env)).toThrow("a value may not contain a newline or NUL");
          return;
        }
        const lines = envFileContent(env).split("\n").slice(0, -1);
        const keys = Object.keys(env).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
        expect(lines).toEqual(keys.length === 0 ? [""] : keys.map((k) => `${k}=${env[k]}`));
      }),
      { numRuns: 300 },
    );
  });
});
