// An Output off a terminal (no spinner) whose two streams are kept: what a command prints, and
// where (the result line on stdout with --json; the headline, why and next on stderr).
import { Writable } from "node:stream";
import { Output } from "../../src/cli/output.js";

export function capturedOutput(json: boolean): { out: Output; stdout: () => string; stderr: () => string } {
  const streams = { out: [] as string[], err: [] as string[] };
  const sink = (into: string[]) =>
    new Writable({
      write(chunk, _enc, done) {
        into.push(String(chunk));
        done();
      },
    });
  const out = new Output({ json, color: false, verbose: false, out: sink(streams.out), err: sink(streams.err), isTty: false });
  return { out, stdout: () => streams.out.join(""), stderr: () => streams.err.join("") };
}
