// POSIX shell quoting for argv words. An SSH "exec" request carries one command *string*, which
// sshd hands to the login shell (`$SHELL -c <string>`); single-quoting every word is the only way
// to make that shell rebuild our argv byte for byte, whatever a YAML value contains.
// Assumes a POSIX-family login shell (sh, dash, bash, zsh, ash) — true for every EC2 image we target.

/** A word that no POSIX command line can carry, so we refuse it rather than send something else. */
export class ShellQuoteError extends Error {
  readonly source = "internal" as const;
  constructor(message: string) {
    super(message);
    this.name = "ShellQuoteError";
  }
}

// Words made only of these characters mean the same to sh with or without quotes.
// Deliberately excludes `~` (tilde expansion), `=` is handled separately, `#` (comment start).
const SAFE_BARE = /^[A-Za-z0-9_@%+:,./-]+$/;
// A lone UTF-16 surrogate has no UTF-8 encoding: it would silently become U+FFFD on the wire.
const LONE_SURROGATE = /\p{Cs}/u;

function check(argv: readonly string[]): void {
  if (argv.length === 0) {
    throw new ShellQuoteError("cannot build a command line from an empty argv");
  }
  argv.forEach((word, index) => {
    // The message names the position and the program, never the word: words may hold secrets.
    const where = `argv word ${index} of \`${sanitizeProgram(argv[0])}\``;
    if (word.includes("\0")) {
      throw new ShellQuoteError(`${where} contains a NUL byte, which a POSIX command line cannot carry`);
    }
    if (LONE_SURROGATE.test(word)) {
      throw new ShellQuoteError(`${where} contains a lone UTF-16 surrogate, which has no UTF-8 encoding`);
    }
  });
}

function sanitizeProgram(program: string | undefined): string {
  const clean = (program ?? "").replace(/[^\x20-\x7e]/g, "?");
  return clean.length > 40 ? `${clean.slice(0, 40)}...` : clean;
}

/** Single-quote one word: inside '...' nothing is special except ' itself, written as '\''. */
function singleQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/**
 * The command string for an SSH exec request: every word single-quoted, joined by spaces.
 * Throws ShellQuoteError for an empty argv or a word holding NUL / a lone surrogate.
 */
export function quoteArgv(argv: readonly string[]): string {
  check(argv);
  return argv.map(singleQuote).join(" ");
}

/**
 * The same command for humans (`--dry-run`): words that need no quoting stay bare, so
 * `docker run --name bot-green` reads naturally, yet pasting the line into sh runs the same argv.
 */
export function formatArgvForDisplay(argv: readonly string[]): string {
  check(argv);
  return argv
    .map((word, index) => {
      if (!SAFE_BARE.test(word.replaceAll("=", "_"))) return singleQuote(word);
      // `NAME=value` as the first word would be an assignment, not a program: quote it there.
      if (index === 0 && word.includes("=")) return singleQuote(word);
      return word;
    })
    .join(" ");
}
