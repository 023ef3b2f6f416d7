// docs/troubleshooting.md quotes real messages: every literal piece of each quoted message (the
// text between <placeholders>, parentheses and ": ") must appear in the source, so the page fails here when a message changes.
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

async function sourceText(dir: string): Promise<string> {
  const parts: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== "sandbox") parts.push(await sourceText(path));
    } else if (entry.name.endsWith(".ts")) parts.push(await readFile(path, "utf8"));
  }
  return parts.join("\n");
}

/** The first `...` of each table row's first cell, and its literal fragments. */
function quotedMessages(doc: string): { message: string; fragments: string[] }[] {
  return doc
    .split("\n")
    .filter((l) => l.startsWith("| ") && !l.startsWith("| message"))
    .flatMap((l) => {
      const message = /`([^`]+)`/.exec(l.split(" | ")[0] ?? "")?.[1];
      if (message === undefined) return [];
      const fragments = message
        // Messages are composed ("${what} ${how}", "bake failed: ${reason}"): check the pieces.
        .split(/<[^>]+>|[()]|: /)
        .map((f) => f.trim())
        .filter((f) => f.length >= 4);
      return [{ message, fragments }];
    });
}

describe("docs/troubleshooting.md", () => {
  it("quotes only messages the code prints", async () => {
    const src = await sourceText("src");
    const messages = quotedMessages(await readFile("docs/troubleshooting.md", "utf8"));
    expect(messages.length).toBeGreaterThanOrEqual(30);
    const missing = messages.flatMap((m) => m.fragments.filter((f) => !src.includes(f)).map((f) => `${m.message}: "${f}"`));
    expect(missing).toEqual([]);
  });
});
