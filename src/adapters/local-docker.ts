// The sandbox transport's in-process docker (LocalHostConnectorOptions.inProcessDocker): which
// `docker` a command would run, and a batch (remote/batch.ts) run step by step the way its sh script
// runs it, so its docker steps can run in this process while every other step is still a process.
import { constants } from "node:fs";
import { access, stat } from "node:fs/promises";
import { delimiter, join } from "node:path";
import type { ExecResult } from "../ports.js";
import { type BatchStep, formatBatchOutput } from "../remote/batch.js";
import { REMOVE_IF_OURS } from "../remote/docker.js";

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

/** docker.removeIfOurs's argv: ["sh", "-c", REMOVE_IF_OURS, "sh", name, colour, format]; its words, or null for any other command. */
export function decodeRemoveIfOurs(argv: readonly string[]): { name: string; colour: string; format: string } | null {
  if (argv.length !== 7 || argv[0] !== "sh" || argv[1] !== "-c" || argv[2] !== REMOVE_IF_OURS || argv[3] !== "sh") return null;
  const [, , , , name = "", colour = "", format = ""] = argv;
  return { name, colour, format };
}

/**
 * REMOVE_IF_OURS as its sh script runs it, each `docker` through `docker` (the stand-in in this
 * process): without this, every stage of a colour that already has a container started two Node
 * processes of the stand-in per host (its inspect and its rm), the sandbox's cost and not the tool's.
 * The script's exact behaviour: an inspect that fails (no such container) exits 0 with its stderr
 * discarded; `$(...)` strips the label's trailing newlines; a label other than the colour prints
 * "<name> was not started by bluegreen" and exits 3; rm's stdout is discarded, its stderr kept,
 * and its failure ignored (`|| true`).
 */
export async function removeIfOursHere(
  words: { name: string; colour: string; format: string },
  docker: (args: string[]) => Promise<ExecResult>,
  signal?: AbortSignal,
): Promise<ExecResult> {
  const inspected = await docker(["inspect", "--type", "container", "--format", words.format, words.name]);
  if (inspected.code !== 0) return { code: 0, stdout: "", stderr: "" };
  if (inspected.stdout.replace(/\n+$/, "") !== words.colour) return { code: 3, stdout: "", stderr: `${words.name} was not started by bluegreen\n` };
  // Timed out meanwhile: the killed script would not reach its rm.
  signal?.throwIfAborted();
  const removed = await docker(["rm", "--force", words.name]);
  return { code: 0, stdout: "", stderr: removed.stderr };
}
