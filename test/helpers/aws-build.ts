// Makes sure dist/ holds an up-to-date compiled AWS emulator, for tests that spawn its
// server-main as a child process. `npm run build` normally did this already; if the sources are
// newer, only the emulator's files are emitted (same layout as the project build, no type check).
import { execFile } from "node:child_process";
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
export const SERVER_MAIN = "dist/src/sandbox/aws/server-main.js";

async function newestSource(dir: string): Promise<number> {
  let newest = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const t = entry.isDirectory() ? await newestSource(path) : entry.name.endsWith(".ts") ? (await stat(path)).mtimeMs : 0;
    newest = Math.max(newest, t);
  }
  return newest;
}

export async function ensureEmulatorBuilt(): Promise<string> {
  const built = await stat(SERVER_MAIN).then(
    (s) => s.mtimeMs,
    () => 0,
  );
  if (built >= (await newestSource("src/sandbox/aws"))) return SERVER_MAIN;
  await run(
    process.execPath,
    [
      "node_modules/typescript/bin/tsc",
      "src/sandbox/aws/server-main.ts",
      "--outDir",
      "dist",
      "--rootDir",
      ".",
      "--module",
      "NodeNext",
      "--moduleResolution",
      "NodeNext",
      "--target",
      "ES2022",
      "--skipLibCheck",
      "--types",
      "node",
      "--sourceMap",
      "--noCheck",
    ],
    { timeout: 110_000 },
  );
  return SERVER_MAIN;
}
