// Runs the CLI's main() in-process with capturing streams. Commands read process.env, so it is
// swapped for exactly the given variables during the call and restored afterwards.
import { Writable } from "node:stream";
import { main } from "../../src/cli/main.js";

export interface CliResult {
  code: number;
  out: string;
  err: string;
}

function sink(chunks: string[]): Writable {
  return new Writable({
    write(chunk: Buffer | string, _enc, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
}

export async function runCli(argv: string[], env: Record<string, string> = {}): Promise<CliResult> {
  const out: string[] = [];
  const err: string[] = [];
  const saved = process.env;
  process.env = { PATH: saved.PATH ?? "", AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true", ...env };
  try {
    const code = await main(argv, { out: sink(out), err: sink(err), isTty: false, env: process.env });
    return { code, out: out.join(""), err: err.join("") };
  } finally {
    process.env = saved;
  }
}
