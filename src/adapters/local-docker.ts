// The sandbox transport's in-process docker (LocalHostConnectorOptions.inProcessDocker): which
// `docker` a command would run, and a batch (remote/batch.ts) run step by step the way its sh script
// runs it, so its docker steps can run in this process while every other step is still a process.
import { constants } from "node:fs";
import { access, stat } from "node:fs/promises";
import { delimiter, join } from "node:path";
import type { ExecResult } from "../ports.js";
import { type BatchStep, formatBatchOutput } from "../remote/batch.js";

/** The sandbox's docker stand-in as a library (src/sandbox/runtime/in-process.ts); set by the sandbox wiring only. */
export interface InProcessDocker {
  /** The environment defaults of the executable at `path` if it is the sandbox's shim, else null. */
  recognise(path: string): Promise<Record<string, string> | null>;
  /** One docker command line (without the program) with the environment its process would get. */
  run(args: string[], env: NodeJS.ProcessEnv): Promise<ExecResult>;
}

/** The first executable `program` on `path`, as execvp finds it (an empty entry is the working directory). */
export async function whichOnPath(program: string, path: string | undefined): Promise<string | null> {
  for (const dir of (path ?? "").split(delimiter)) {
    const candidate = join(dir === "" ? "." : dir, program);
    try {
      if ((await stat(candidate)).isFile()) {
        await access(candidate, constants.X_OK);
        return candidate;
      }
    } catch {
      // Not here: the next directory.
    }
  }
  return null;
}

/** Per connector: for each PATH, whether its `docker` is the sandbox's shim (and the shim's defaults). */
export class ShimLookup {
  private readonly byPath = new Map<string, Promise<Record<string, string> | null>>();

  constructor(readonly docker: InProcessDocker) {}

  defaultsFor(path: string | undefined): Promise<Record<string, string> | null> {
    const key = path ?? "";
    let found = this.byPath.get(key);
    if (found === undefined) {
      found = whichOnPath("docker", path).then((file) => (file === null ? null : this.docker.recognise(file)));
      this.byPath.set(key, found);
    }
    return found;
  }
}

/**
 * A batch run as its script runs it (remote/batch.ts BATCH_SCRIPT): the steps in order, each one's
 * stdout, stderr and exit code framed by the marker, a failed `stop` step ends it, and the batch
 * itself exits 0. `runStep` runs one step (the caller feeds the batch's stdin to the step marked
 * for it; the script gives the others /dev/null). Once `signal` aborts (the batch's deadline), no
 * further step starts.
 */
export async function runBatchHere(
  batch: { marker: string; steps: readonly BatchStep[] },
  runStep: (step: BatchStep) => Promise<ExecResult>,
  signal?: AbortSignal,
): Promise<ExecResult> {
  const results: ExecResult[] = [];
  for (const step of batch.steps) {
    // Timed out: the script would have been killed, so no later step starts (rejects with the reason).
    signal?.throwIfAborted();
    const result = await runStep(step);
    results.push(result);
    if (step.stop === true && result.code !== 0) break;
  }
  return { code: 0, stdout: formatBatchOutput(batch.marker, results), stderr: "" };
}
