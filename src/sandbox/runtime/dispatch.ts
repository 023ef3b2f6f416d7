// argv -> subcommand, and the only place that turns errors into stderr text and exit codes.
import { DockerCliError } from "./cli-error.js";
import { type CliContext, contextFromEnv } from "./context.js";
import { TemplateError } from "./template.js";

type Handler = (ctx: CliContext, argv: string[]) => Promise<number>;

// Every host command is a fresh process: each loads only its own subcommand's modules (`ps` does
// not compile `run`'s supervisor launch, option parser and registry), so a command starts faster.
const run: Handler = async (ctx, argv) => (await import("./commands/run.js")).runCommand(ctx, argv);
const ps: Handler = async (ctx, argv) => (await import("./commands/ps.js")).psCommand(ctx, argv);
const stop: Handler = async (ctx, argv) => (await import("./commands/lifecycle.js")).stopCommand(ctx, argv);
const start: Handler = async (ctx, argv) => (await import("./commands/lifecycle.js")).startCommand(ctx, argv);
const rm: Handler = async (ctx, argv) => (await import("./commands/lifecycle.js")).rmCommand(ctx, argv);
const logs: Handler = async (ctx, argv) => (await import("./commands/logs.js")).logsCommand(ctx, argv);
const stats: Handler = async (ctx, argv) => (await import("./commands/stats.js")).statsCommand(ctx, argv);
const pull: Handler = async (ctx, argv) => (await import("./commands/pull.js")).pullCommand(ctx, argv);
const events: Handler = async (ctx, argv) => (await import("./commands/events.js")).eventsCommand(ctx, argv);
const imageInspect: Handler = async (ctx, argv) => (await import("./commands/image-inspect.js")).imageInspectCommand(ctx, argv);

const CONTAINER_COMMANDS: Record<string, Handler> = {
  run,
  ps,
  ls: ps,
  list: ps,
  inspect: async (ctx, argv) => (await import("./commands/inspect.js")).inspectCommand(ctx, argv, "container"),
  stop,
  start,
  rm,
  remove: rm,
  logs,
  stats,
};

const IMAGE_COMMANDS: Record<string, Handler> = { pull, inspect: imageInspect };

const TOP_LEVEL: Record<string, Handler> = {
  run,
  ps,
  inspect: async (ctx, argv) => (await import("./commands/inspect.js")).inspectCommand(ctx, argv),
  stop,
  start,
  rm,
  logs,
  stats,
  pull,
  events,
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
    out((await import("./commands/version.js")).versionLine());
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
    return (await import("./commands/version.js")).versionCommand(ctx, argv.slice(1), out);
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
