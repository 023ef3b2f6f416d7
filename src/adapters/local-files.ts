// The sandbox transport's in-process file write (with LocalHostConnectorOptions.inProcessDocker):
// a batch that runs its docker steps here also writes its env file here, as files.writeFilePrivate's
// script does, instead of as five processes (sh, dirname, mkdir, cat, mv). On a real host that
// write is a few milliseconds inside one SSH exec; here every process is a fork of the CLI, and the
// stage's write sits between removing the old container and starting the new one (#17, scale).
import { randomBytes } from "node:crypto";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { ExecResult } from "../ports.js";
import { writeFilePrivate } from "../remote/files.js";

/** The path files.writeFilePrivate's argv writes, or null for any other command. */
export function decodeWriteFilePrivate(argv: readonly string[]): string | null {
  const path = argv[4];
  if (argv.length !== 5 || path === undefined) return null;
  const expected = writeFilePrivate(path);
  return argv.every((word, i) => word === expected[i]) ? path : null;
}

/**
 * What the script does when it succeeds: `umask 077` (new folders 0700, the file 0600), the
 * folder made if missing, the content written to a temporary name beside the file and renamed
 * over it (readers never see half a file). null: some step failed (after removing the temporary
 * file); the caller then runs the script itself, so a failure is reported with the real tools'
 * own words and exit code, and what the script would do differently (e.g. `mv` into a folder
 * named like the file) is what happens.
 */
export async function writeFilePrivateHere(path: string, content: string): Promise<ExecResult | null> {
  const tmp = `${path}.tmp.${process.pid}-${randomBytes(6).toString("hex")}`;
  try {
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    await writeFile(tmp, content, { mode: 0o600, flag: "wx" });
    await rename(tmp, path);
    return { code: 0, stdout: "", stderr: "" };
  } catch {
    await rm(tmp, { force: true }).catch(() => undefined);
    return null;
  }
}
