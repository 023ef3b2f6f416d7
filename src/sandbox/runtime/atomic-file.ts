// State files are replaced whole (tmp + rename) so a reader never sees half a JSON document,
// and created with link() so two `docker run --name X` cannot both win.
import { existsSync, readFileSync, renameSync, unlinkSync, writeFileSync } from "node:fs";
import { link, readFile, rename, unlink, writeFile } from "node:fs/promises";

// Unique among writers: the pid tells processes apart (no two live ones share it), the counter the
// concurrent writes of one process. Not node:crypto's randomBytes: loading node:crypto was a few
// ms of every supervisor's start, one per container (#17).
let written = 0;
const tmpName = (path: string) => `${path}.${process.pid}.${++written}.tmp`;
const text = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  const tmp = tmpName(path);
  await writeFile(tmp, text(value));
  await rename(tmp, path);
}

export function writeJsonAtomicSync(path: string, value: unknown): void {
  const tmp = tmpName(path);
  writeFileSync(tmp, text(value));
  renameSync(tmp, path);
}

/** false when the file already exists. */
export async function createJsonExclusive(path: string, value: unknown): Promise<boolean> {
  const tmp = tmpName(path);
  await writeFile(tmp, text(value));
  try {
    await link(tmp, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  } finally {
    await unlink(tmp);
  }
}

export async function readJsonFile<T>(path: string): Promise<T | null> {
  try {
    return JSON.parse(await readFile(path, "utf8")) as T;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
}

export function readJsonFileSync<T>(path: string): T | null {
  if (!existsSync(path)) return null;
  return JSON.parse(readFileSync(path, "utf8")) as T;
}

export function removeFileSync(path: string): void {
  try {
    unlinkSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
}
