// The `docker` executable of a sandbox host: a two-line sh script that execs the compiled CLI, so
// the orchestrator's SSH commands run the same `docker ...` argv here as on a real EC2 host.
import { existsSync } from "node:fs";
import { chmod, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { dockerCliScript } from "./paths.js";

const shellQuote = (word: string) => `'${word.replace(/'/g, "'\\''")}'`;

export interface ShimDefaults {
  /** Used when BLUEGREEN_SANDBOX_STATE is not set in the caller's environment (e.g. over SSH). */
  stateRoot?: string;
  /** Used when BLUEGREEN_SANDBOX_HOST is not set in the caller's environment. */
  host?: string;
}

export async function writeDockerShim(binDir: string, defaults: ShimDefaults = {}): Promise<string> {
  const cli = dockerCliScript();
  if (!existsSync(cli)) {
    throw new Error(`${cli} is missing: build first with \`npx tsc -p tsconfig.json\``);
  }
  const lines = ["#!/bin/sh"];
  for (const [variable, value] of [
    ["BLUEGREEN_SANDBOX_STATE", defaults.stateRoot],
    ["BLUEGREEN_SANDBOX_HOST", defaults.host],
  ] as const) {
    if (value === undefined) continue;
    lines.push(`if [ -z "\${${variable}:-}" ]; then ${variable}=${shellQuote(value)}; export ${variable}; fi`);
  }
  lines.push(`exec ${shellQuote(process.execPath)} ${shellQuote(cli)} "$@"`);
  await mkdir(binDir, { recursive: true });
  const path = join(binDir, "docker");
  await writeFile(path, `${lines.join("\n")}\n`, { mode: 0o755 });
  await chmod(path, 0o755);
  return path;
}
