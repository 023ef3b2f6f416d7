// argv -> subcommand, and the only place that turns errors into stderr text and exit codes.
// Runs in the `docker` process (docker-cli.ts) or in the caller's own process (runDocker).
import { appendFileSync } from "node:fs";
import { DockerCliError } from "./cli-error.js";
import { type CliContext, contextFromEnv, type DockerIo } from "./context.js";
import { TemplateError } from "./template.js";

type Handler = (ctx: CliContext, argv: string[]) => Promise<number>;

// Each subcommand's modules load on first use: a `docker` process loads only its own (`ps` does
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

async function dispatch(argv: string[], env: NodeJS.ProcessEnv, io: DockerIo): Promise<number> {
  const out = (text: string) => io.out(text);
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
      ctx = contextFromEnv(env, io);
    } catch {
      // version still answers for the client without a daemon
    }
    return (await import("./commands/version.js")).versionCommand(ctx, argv.slice(1), out);
  }
  const { handler, rest } = resolveHandler(argv);
  return handler(contextFromEnv(env, io), rest);
}

/** What one command line printed and its exit code (what the `docker` process would have exited with). */
export interface DockerResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs one docker command line in this process with `env` as its environment (the variables the
 * `docker` process would get): the exit code, and the output collected. With `io`, output goes to
 * those sinks as it is printed instead (docker-cli.ts passes the process's streams) and the
 * collected text is empty. Nothing here reads stdin, exits the process or reads process.env.
 */
export async function runDocker(argv: string[], env: NodeJS.ProcessEnv, io?: DockerIo): Promise<DockerResult> {
  // The bench counts docker subcommands per release here (one line each, O_APPEND), however they
  // run: a wrapper script on PATH would make the sandbox transport spawn every command.
  const stdout: string[] = [];
  const stderr: string[] = [];
  const sink: DockerIo = io ?? { out: (t) => stdout.push(t), err: (t) => stderr.push(t) };
  const log = env.BLUEGREEN_SANDBOX_DOCKER_LOG;
  try {
    if (log) appendFileSync(log, `${argv[0] ?? ""}\n`);
  } catch (error) {
    // This command fails (exit 1, as the `docker` process dying of it did), not its caller.
    sink.err(`sandbox docker: cannot log this command to BLUEGREEN_SANDBOX_DOCKER_LOG: ${(error as Error).message}\n`);
    return { code: 1, stdout: "", stderr: stderr.join("") };
  }
  const code = await runWith(argv, env, sink);
  return { code, stdout: stdout.join(""), stderr: stderr.join("") };
}

/** The only place that turns errors into stderr text and exit codes. */
async function runWith(argv: string[], env: NodeJS.ProcessEnv, io: DockerIo): Promise<number> {
  try {
    return await dispatch(argv, env, io);
  } catch (error) {
    if (error instanceof DockerCliError) {
      if (error.stdout) io.out(error.stdout);
      io.err(`${error.message}\n`);
      return error.exitCode;
    }
    if (error instanceof TemplateError) {
      io.err(`template parsing error: ${error.message}\n`);
      return 1;
    }
    io.err(`Error response from daemon: sandbox runtime: ${(error as Error).stack ?? String(error)}\n`);
    return 1;
  }
}
