// argv -> subcommand, and the only place that turns errors into stderr text and exit codes.
import { DockerCliError } from "./cli-error.js";
import { eventsCommand } from "./commands/events.js";
import { imageInspectCommand } from "./commands/image-inspect.js";
import { inspectCommand } from "./commands/inspect.js";
import { rmCommand, startCommand, stopCommand } from "./commands/lifecycle.js";
import { logsCommand } from "./commands/logs.js";
import { psCommand } from "./commands/ps.js";
import { pullCommand } from "./commands/pull.js";
import { runCommand } from "./commands/run.js";
import { statsCommand } from "./commands/stats.js";
import { versionCommand, versionLine } from "./commands/version.js";
import { type CliContext, contextFromEnv } from "./context.js";
import { TemplateError } from "./template.js";

type Handler = (ctx: CliContext, argv: string[]) => Promise<number>;

const CONTAINER_COMMANDS: Record<string, Handler> = {
  run: runCommand,
  ps: psCommand,
  ls: psCommand,
  list: psCommand,
  inspect: (ctx, argv) => inspectCommand(ctx, argv, "container"),
  stop: stopCommand,
  start: startCommand,
  rm: rmCommand,
  remove: rmCommand,
  logs: logsCommand,
  stats: statsCommand,
};

const IMAGE_COMMANDS: Record<string, Handler> = { pull: pullCommand, inspect: imageInspectCommand };

const TOP_LEVEL: Record<string, Handler> = {
  run: runCommand,
  ps: psCommand,
  inspect: (ctx, argv) => inspectCommand(ctx, argv),
  stop: stopCommand,
  start: startCommand,
  rm: rmCommand,
  logs: logsCommand,
  stats: statsCommand,
  pull: pullCommand,
  events: eventsCommand,
};

function unknownCommand(words: string): DockerCliError {
  return new DockerCliError(`docker: unknown command: docker ${words}\n\nRun 'docker --help' for more information`, 125);
}

function resolveHandler(argv: string[]): { handler: Handler; rest: string[] } {
  const [first = "", second = "", ...others] = argv;
  const group = first === "container" ? CONTAINER_COMMANDS : first === "image" ? IMAGE_COMMANDS : null;
  if (group) {
    const handler = group[second];
    if (!handler) throw unknownCommand(`${first} ${second}`.trim());
    return { handler, rest: others };
  }
  const handler = TOP_LEVEL[first];
  if (!handler) throw unknownCommand(first);
  return { handler, rest: argv.slice(1) };
}

async function dispatch(argv: string[], env: NodeJS.ProcessEnv, out: (t: string) => void): Promise<number> {
  const first = argv[0];
  if (first === "--version" || first === "-v") {
    out(versionLine());
    return 0;
  }
  if (first === undefined || first === "--help" || first === "help") {
    out(
      "Usage:  docker [OPTIONS] COMMAND\n\nbluegreen sandbox runtime: run, ps, inspect, stop, start, rm, logs, stats, events, pull, image inspect, version\n",
    );
    return 0;
  }
  if (first.startsWith("-")) throw new DockerCliError(`unknown flag: ${first}\n\nRun 'docker --help' for more information`, 125);
  if (first === "version") {
    let ctx: CliContext | null = null;
    try {
      ctx = contextFromEnv(env);
    } catch {
      // version still answers for the client without a daemon
    }
    return versionCommand(ctx, argv.slice(1), out);
  }
  const { handler, rest } = resolveHandler(argv);
  return handler(contextFromEnv(env), rest);
}

/** Runs one docker command line; returns the exit code. Output goes to process.stdout/stderr. */
export async function runDocker(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const out = (text: string) => process.stdout.write(text);
  try {
    return await dispatch(argv, env, out);
  } catch (error) {
    if (error instanceof DockerCliError) {
      if (error.stdout) out(error.stdout);
      process.stderr.write(`${error.message}\n`);
      return error.exitCode;
    }
    if (error instanceof TemplateError) {
      process.stderr.write(`template parsing error: ${error.message}\n`);
      return 1;
    }
    process.stderr.write(`Error response from daemon: sandbox runtime: ${(error as Error).stack ?? String(error)}\n`);
    return 1;
  }
}
