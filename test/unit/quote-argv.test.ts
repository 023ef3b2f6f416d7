import { execFileSync } from "node:child_process";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatArgvForDisplay, quoteArgv, ShellQuoteError } from "../../src/remote/quote.js";

// What /bin/sh rebuilds from a command line: each word followed by a NUL, as raw bytes.
function shellWords(commandLine: string): Buffer {
  return execFileSync("/bin/sh", ["-c", `printf '%s\\0' ${commandLine}`]);
}
function expectedBytes(words: readonly string[]): Buffer {
  return Buffer.concat(words.map((w) => Buffer.from(`${w}\0`, "utf8")));
}

describe("quoteArgv", () => {
  it("single-quotes every word and escapes quotes as '\\''", () => {
    expect(quoteArgv(["docker", "run", "--name", "bot-green"])).toBe("'docker' 'run' '--name' 'bot-green'");
    expect(quoteArgv(["echo", "it's"])).toBe(`'echo' 'it'\\''s'`);
    expect(quoteArgv(["echo", ""])).toBe("'echo' ''");
    expect(quoteArgv(["echo", "$(rm -rf /)", "`id`", "a;b|c&d"])).toBe("'echo' '$(rm -rf /)' '`id`' 'a;b|c&d'");
  });

  it("refuses a word with a NUL byte without echoing the word", () => {
    const run = () => quoteArgv(["docker", "run", "-e", "TOKEN=secret\0x"]);
    expect(run).toThrow(ShellQuoteError);
    expect(run).toThrow("argv word 3 of `docker` contains a NUL byte, which a POSIX command line cannot carry");
  });

  it("refuses a lone surrogate and an empty argv", () => {
    expect(() => quoteArgv(["echo", "a\uD800b"])).toThrow("argv word 1 of `echo` contains a lone UTF-16 surrogate, which has no UTF-8 encoding");
    expect(() => quoteArgv([])).toThrow("cannot build a command line from an empty argv");
  });

  it("survives /bin/sh byte for byte on hostile words", () => {
    const words = ["it's", "'", "''", "\\'", "$HOME", "$(id)", "`id`", "a b", "\n", "*", "~", "#x", "é中😀", "-n"];
    expect(shellWords(quoteArgv(words))).toEqual(expectedBytes(words));
  });

  it("round-trips arbitrary strings without NUL through /bin/sh (property)", () => {
    const word = fc.string({ unit: "binary", maxLength: 40 }).filter((s) => !s.includes("\0"));
    fc.assert(
      fc.property(fc.array(word, { minLength: 1, maxLength: 6 }), (words) => {
        expect(shellWords(quoteArgv(words))).toEqual(expectedBytes(words));
      }),
      { numRuns: 200 },
    );
  });
});

describe("formatArgvForDisplay", () => {
  it("leaves plain words bare and quotes the rest", () => {
    expect(formatArgvForDisplay(["docker", "run", "--detach", "--name", "bot-green", "-p", "127.0.0.1:5002:5000"])).toBe(
      "docker run --detach --name bot-green -p 127.0.0.1:5002:5000",
    );
    expect(formatArgvForDisplay(["docker", "run", "-e", "BOT_MODE=webhook", "echo-bot:v1"])).toBe("docker run -e BOT_MODE=webhook echo-bot:v1");
    expect(formatArgvForDisplay(["echo", "a b", "it's", "", "~", "#x", "$X", "é"])).toBe(`echo 'a b' 'it'\\''s' '' '~' '#x' '$X' 'é'`);
  });

  it("quotes an assignment-looking first word so it stays a program name", () => {
    expect(formatArgvForDisplay(["A=b", "A=b"])).toBe("'A=b' A=b");
  });

  it("refuses NUL like quoteArgv", () => {
    expect(() => formatArgvForDisplay(["echo", "\0"])).toThrow("argv word 1 of `echo` contains a NUL byte, which a POSIX command line cannot carry");
  });

  it("is still read back by /bin/sh as the same argv (property)", () => {
    const word = fc.oneof(fc.string({ unit: "binary", maxLength: 20 }), fc.stringMatching(/^[A-Za-z0-9_@%+=:,./-]{1,12}$/));
    fc.assert(
      fc.property(
        fc.array(
          word.filter((s) => !s.includes("\0")),
          { minLength: 1, maxLength: 5 },
        ),
        (words) => {
          expect(shellWords(formatArgvForDisplay(words))).toEqual(expectedBytes(words));
        },
      ),
      { numRuns: 100 },
    );
  });
});
