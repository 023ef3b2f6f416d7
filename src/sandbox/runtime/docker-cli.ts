// Entry of the sandbox `docker` command (see shim.ts). Importing it gives the public API instead.
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { runDocker } from "./dispatch.js";

export * from "./index.js";

function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return realpathSync(script) === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  runDocker(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
