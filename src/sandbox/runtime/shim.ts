// The `docker` executable of a sandbox host: a short sh script that execs the compiled CLI, so
// the orchestrator's SSH commands run the same `docker ...` argv here as on a real EC2 host.
// Its second line marks it as ours (with its defaults), so the sandbox transport can recognise it
// and run the same dispatcher in its own process instead (src/adapters/local-docker.ts).
import { existsSync } from "node:fs";
import { chmod, mkdir, open, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { dockerCliScript } from "./paths.js";

const shellQuote = (word: string) => `'${word.replace(/'/g, "'\\''")}'`;

export interface ShimDefaults {
  /** Used when BLUEGREEN_SANDBOX_STATE is not set in the caller's environment (e.g. over SSH). */
  stateRoot?: string;
  /** Used when BLUEGREEN_SANDBOX_HOST is not set in the caller's environment. */
  host?: string;
}

/** The shim's second line starts with this, followed by the defaults as JSON (a comment to sh). */
export const SHIM_MARKER = "# bluegreen-sandbox-docker-shim";

/**
 * If the executable at `path` is a shim written by writeDockerShim: the environment defaults it
 * applies (variables it sets when the caller's environment lacks them). null: any other file.
 */
export async function readShimDefaults(path: string): Promise<Record<string, string> | null> {
  let head: string;
  try {
    const file = await open(path, "r");
    try {
      const buffer = Buffer.alloc(4096);
      const { bytesRead } = await file.read(buffer, 0, buffer.length, 0);
      head = buffer.subarray(0, bytesRead).toString("utf8");
    } finally {
      await file.close();
    }
  } catch {
    return null;
  }
  const [shebang, marker = ""] = head.split("\n");
  if (shebang !== "#!/bin/sh" || !marker.startsWith(`${SHIM_MARKER} `)) return null;
  try {
    const parsed: unknown = JSON.parse(marker.slice(SHIM_MARKER.length + 1));
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return null;
    const entries = Object.entries(parsed);
    return entries.every(([, v]) => typeof v === "string") ? Object.fromEntries(entries as [string, string][]) : null;
  } catch {
    return null;
  }
}

export async function writeDockerShim(binDir: string, defaults: ShimDefaults = {}): Promise<string> {
  const cli = dockerCliScript();
  if (!existsSync(cli)) {
    throw new Error(`${cli} is missing: build first with \`npx tsc -p tsconfig.json\``);
  }
  const marked: Record<string, string> = {};
  if (defaults.stateRoot !== undefined) marked.BLUEGREEN_SANDBOX_STATE = defaults.stateRoot;
  if (defaults.host !== undefined) marked.BLUEGREEN_SANDBOX_HOST = defaults.host;
  const lines = ["#!/bin/sh", `${SHIM_MARKER} ${JSON.stringify(marked)}`];
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
