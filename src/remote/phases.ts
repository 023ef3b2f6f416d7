// The host work of one phase of a run, as ONE remote exec per host (src/remote/batch.ts): every
// step is the same argv its own builder makes (docker.ts, files.ts), so what runs on the host is
// unchanged; only the round trips are fewer. The marker is random per call (tests pass their own).

import type { Colour } from "../domain/types.js";
import { batchArgv } from "./batch.js";
import { diskFree, docker } from "./docker.js";

/**
 * Preflight: is the engine there (`docker version`), is there room (`df -Pk /`), and what runs on
 * the host, ours or not (`docker ps --all`, for adoption). No step stops the others: each answer
 * is judged on its own, as when they were three commands.
 */
export function preflightProbe(marker?: string): string[] {
  return batchArgv([{ argv: docker.version() }, { argv: diskFree("/") }, { argv: docker.listAll() }], marker);
}

/**
 * A release's first look at a host (#17): its containers (`docker inspect` of both colours' names,
 * what every observe reads) and the preflight's probe, in one exec; `listAll`: with `docker ps
 * --all` for adoption (a webhook environment; whether the release is a mode switch, which adopts
 * nothing, is known only from this reading). No step stops the others.
 */
export function firstLook(names: readonly string[], listAll: boolean, marker?: string): string[] {
  return batchArgv(
    [{ argv: docker.inspect(names) }, { argv: docker.version() }, { argv: diskFree("/") }, ...(listAll ? [{ argv: docker.listAll() }] : [])],
    marker,
  );
}

/** The same without `docker ps` (a polling release, or a mode switch: nothing to adopt). */
export function engineProbe(marker?: string): string[] {
  return batchArgv([{ argv: docker.version() }, { argv: diskFree("/") }], marker);
}

/** Resolving --image on a host: pull it, then read its registry digests (only after a good pull). */
export function pullAndDigest(ref: string, marker?: string): string[] {
  return batchArgv([{ argv: docker.pull(ref), stop: true }, { argv: docker.repoDigests(ref) }], marker);
}

export interface StageSteps {
  /** The colour's container name. */
  name: string;
  colour: Colour;
  /** The env file's write (content through stdin): files.writeFilePrivate. */
  writeEnvFile: readonly string[];
  /** Pull first (absent: this run already pulled these bytes on the host). */
  pull?: readonly string[];
  /** The `docker run` (stage.runArgvFor). */
  run: readonly string[];
  /**
   * Both colours' container names: after a good run the batch reads them (`docker inspect`), so
   * the run's next observe takes the host's containers from the stage itself (#17: no exec of its own).
   */
  inspect?: readonly string[];
}

/**
 * Staging a colour on a host: remove its stale container (only one bluegreen started), write its
 * env file, pull, run, and (with `inspect`) read the host's containers as they are after the run.
 * Each step runs only when the ones before it succeeded.
 */
export function stageBatch(s: StageSteps, marker?: string): string[] {
  return batchArgv(
    [
      { argv: docker.removeIfOurs(s.name, s.colour), stop: true },
      { argv: s.writeEnvFile, stdin: true, stop: true },
      ...(s.pull !== undefined ? [{ argv: s.pull, stop: true }] : []),
      ...(s.inspect !== undefined ? [{ argv: s.run, stop: true }, { argv: docker.inspect(s.inspect) }] : [{ argv: s.run }]),
    ],
    marker,
  );
}

/** A bake check on a host: both colours' containers (inspect) and the new one's memory (stats). */
export function inspectWithStats(names: readonly string[], statsOf: readonly string[], marker?: string): string[] {
  return batchArgv([{ argv: docker.inspect(names) }, { argv: docker.stats(statsOf) }], marker);
}
