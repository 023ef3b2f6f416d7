// The sandbox transport's in-process env-file write (src/adapters/local-files.ts): it recognises
// only files.writeFilePrivate's exact argv, leaves the file as the script does (0600 in a 0700
// folder, replaced whole), and on failure hands back to the script (null) without leaving a
// temporary file behind. Its answers against the real `sh` are compared in local-host-in-process.test.ts.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { decodeWriteFilePrivate, writeFilePrivateHere } from "../../src/adapters/local-files.js";
import { appendLine, writeFilePrivate } from "../../src/remote/files.js";

const root = mkdtempSync(join(tmpdir(), "bluegreen-local-files-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("writeFilePrivate in the sandbox transport's process", () => {
  it("recognises writeFilePrivate's argv only", () => {
    expect(decodeWriteFilePrivate(writeFilePrivate("/srv/env/bot-blue.env"))).toBe("/srv/env/bot-blue.env");
    expect(decodeWriteFilePrivate(appendLine("/srv/env/bot-blue.env"))).toBeNull();
    expect(decodeWriteFilePrivate([...writeFilePrivate("/a"), "extra"])).toBeNull();
    expect(decodeWriteFilePrivate(["sh", "-c", 'cat > "$1"', "sh", "/a"])).toBeNull();
  });

  it("writes the content 0600 in a new 0700 folder, replacing the file whole", async () => {
    const path = join(root, "env", "prod", "bot-blue.env");
    expect(await writeFilePrivateHere(path, "A=1\n")).toEqual({ code: 0, stdout: "", stderr: "" });
    expect(await writeFilePrivateHere(path, "B=2\n")).toEqual({ code: 0, stdout: "", stderr: "" });
    expect(readFileSync(path, "utf8")).toBe("B=2\n");
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(join(root, "env", "prod")).mode & 0o777).toBe(0o700);
    expect(readdirSync(join(root, "env", "prod"))).toEqual(["bot-blue.env"]);
  });

  it("hands a failure back to the script (null) and leaves no temporary file", async () => {
    writeFileSync(join(root, "a-file"), "");
    expect(await writeFilePrivateHere(join(root, "a-file", "x.env"), "A=1\n")).toBeNull();
    // A folder where the file should be: rename fails, the script's `mv` decides what happens.
    mkdirSync(join(root, "dir", "bot.env"), { recursive: true });
    expect(await writeFilePrivateHere(join(root, "dir", "bot.env"), "A=1\n")).toBeNull();
    expect(readdirSync(join(root, "dir"))).toEqual(["bot.env"]);
  });
});
