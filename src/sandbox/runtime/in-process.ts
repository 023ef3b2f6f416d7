// The sandbox `docker` without a process per command: the sandbox transport (LocalHost, opted in
// by the sandbox wiring) runs a command whose `docker` is a shim of ours through the same
// dispatcher here, in the caller's process. The stand-in's own Node start (~70 ms a command) is the
// sandbox's cost: a real host's docker runs on another machine, its start is not the tool's.
import { readShimDefaults } from "./shim.js";

export interface InProcessDockerResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface SandboxDockerRunner {
  /** The environment defaults of the executable at `path` if it is a shim of ours (writeDockerShim), else null. */
  recognise(path: string): Promise<Record<string, string> | null>;
  /** One command line (argv without the program), with the environment the `docker` process would get. */
  run(args: string[], env: NodeJS.ProcessEnv): Promise<InProcessDockerResult>;
}

export function sandboxDockerRunner(): SandboxDockerRunner {
  return {
    recognise: readShimDefaults,
    // Loaded on the first command: a run that never reaches a host does not compile the runtime.
    run: async (args, env) => (await import("./dispatch.js")).runDocker(args, env),
  };
}
