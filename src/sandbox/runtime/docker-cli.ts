// Entry of the sandbox `docker` command (see shim.ts); the runtime's API is ./index.js. This file
// loads only the dispatcher (which imports the one subcommand it runs): every host command of a
// release or status is one such process, so what it loads is paid per command.
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { runDocker } from "./dispatch.js";

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
  // The process is the one place the runtime meets the real streams and exit status.
  const io = { out: (text: string) => process.stdout.write(text), err: (text: string) => process.stderr.write(text) };
  runDocker(process.argv.slice(2), process.env, io).then(({ code }) => {
    process.exitCode = code;
  });
}
