// What every subcommand gets: which sandbox host it acts on, its environment, and where its output
// goes (the process's streams for the `docker` executable, buffers for an in-process run).
import { resolve } from "node:path";
import { DockerCliError } from "./cli-error.js";
import { type HostPaths, hostPaths } from "./paths.js";

export interface CliContext {
  stateRoot: string;
  host: string;
  paths: HostPaths;
  env: NodeJS.ProcessEnv;
  out(text: string): void;
  err(text: string): void;
}

/** Where a command's output goes: docker-cli.ts writes to the real streams, runDocker's callers to buffers. */
export interface DockerIo {
  out(text: string): void;
  err(text: string): void;
}

export function contextFromEnv(env: NodeJS.ProcessEnv, io: DockerIo): CliContext {
  const stateRoot = env.BLUEGREEN_SANDBOX_STATE;
  const host = env.BLUEGREEN_SANDBOX_HOST;
  if (!stateRoot || !host) {
    throw new DockerCliError(
      "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?\n" +
        "(sandbox runtime: set BLUEGREEN_SANDBOX_STATE and BLUEGREEN_SANDBOX_HOST)",
      1,
    );
  }
  if (!/^127(\.\d{1,3}){3}$/.test(host)) {
    throw new DockerCliError(`sandbox runtime: BLUEGREEN_SANDBOX_HOST must be a 127.x.y.z address, got "${host}"`, 1);
  }
  return {
    // Absolute, because the bot runs in another directory and writes its records under it.
    stateRoot: resolve(stateRoot),
    host,
    paths: hostPaths(resolve(stateRoot), host),
    env,
    out: (text) => io.out(text),
    err: (text) => io.err(text),
  };
}

export const SANDBOX_DOCKER_VERSION = "28.2.2-sandbox";
