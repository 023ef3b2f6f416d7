#!/usr/bin/env node
// bluegreen's entry point: argv -> command. This is the only place that maps errors to exit codes
// and prints them. Commands are imported lazily so `--help` and `--version` start fast.
import { readFileSync, realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { writeCallCounts } from "../adapters/call-count.js";
import { BluegreenError, ConfigError } from "../errors.js";
import { redact } from "../util/redact.js";
import { type CommandName, type Parsed, parse, runsAs } from "./args.js";
import { exitCodeOf, outcomeOf } from "./exit-codes.js";
import { applyCliHeapFlags, usesCliHeapFlags } from "./heap.js";
import { commandHelp, HELP } from "./help.js";
import { Output } from "./output.js";
import { handleSignals, signalWords } from "./signals.js";

// Node 20 is supported by the pinned SDK; its notice about future releases is noise on every run.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

type Command = (p: Parsed, out: Output) => Promise<number>;

const COMMAND: Record<CommandName, () => Promise<Command>> = {
  validate: async () => (await import("./commands/validate.js")).validate,
  plan: async () => (await import("./commands/plan.js")).plan,
  rehearse: async () => (await import("./commands/rehearse.js")).rehearse,
  release: async () => (await import("./commands/release.js")).release,
  promote: async () => (await import("./commands/release.js")).promote,
  rollback: async () => (await import("./commands/operate.js")).rollback,
  status: async () => (await import("./commands/status.js")).status,
  history: async () => (await import("./commands/operate.js")).history,
  lock: async () => (await import("./commands/operate.js")).lock,
  sandbox: async () => (await import("./commands/sandbox.js")).sandbox,
};

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
}

export async function main(
  argv: string[],
  io: {
    out: NodeJS.WritableStream;
    err: NodeJS.WritableStream;
    isTty: boolean;
    env: NodeJS.ProcessEnv;
    /** Start `status`'s EC2 thread before its modules load (ec2-early.ts): the entry point does; in-process callers need not. */
    ec2Thread?: boolean;
  },
): Promise<number> {
  const wantsJson = argv.includes("--json");
  const fallback = new Output({ json: wantsJson, color: false, verbose: false, out: io.out, err: io.err, isTty: io.isTty });
  let parsed: Parsed | undefined;
  try {
    parsed = parse(argv);
    const f = parsed.flags;
    if (f.version) {
      io.out.write(`${version()}\n`);
      return 0;
    }
    if (f.help && parsed.command !== undefined) {
      io.out.write(commandHelp(parsed.command));
      return 0;
    }
    if (f.help || parsed.command === undefined) {
      io.out.write(HELP);
      return parsed.command === undefined && !f.help ? 64 : 0;
    }
    const color = io.isTty && !f.noColor && (io.env.NO_COLOR ?? "") === "" && !f.json;
    const out = new Output({ json: f.json, color, verbose: f.verbose, out: io.out, err: io.err, isTty: io.isTty });
    // What runs decides the signal handling (a rollback with a stray flag is still a rollback).
    const runs = runsAs({ command: parsed.command, flags: f });
    // First, so the thread loads the EC2 client on the other core while this one loads the command.
    if (runs.command === "status" && io.ec2Thread === true) (await import("./ec2-early.js")).startEc2Early();
    const run = await COMMAND[runs.command]();
    // Commands that change things wind down on the first SIGINT/SIGTERM instead of dying mid-step.
    const changes = runs.changes;
    const words = signalWords((parsed.command === "promote" ? parsed.positionals[1] : parsed.positionals[0]) ?? "ENV", parsed.command);
    out.watch(words.watch);
    const signals = changes
      ? handleSignals({
          err: io.err,
          onFirst: (signal) => out.step({ step: "cancel", status: "info", message: words.first(signal) }),
          lastWords: words.last,
        })
      : undefined;
    try {
      return await run(parsed, out);
    } finally {
      signals?.dispose();
    }
  } catch (e) {
    const code = exitCodeOf(e);
    const command = parsed?.command ?? "unknown";
    const message = redact(e instanceof Error ? e.message : String(e));
    const remedy = e instanceof BluegreenError && e.remedy !== undefined ? redact(e.remedy) : undefined;
    if (wantsJson) {
      fallback.json({
        type: "result",
        command,
        outcome: outcomeOf(code),
        exitCode: code,
        error: message,
        ...(e instanceof ConfigError ? { errors: e.errors.map(redact) } : {}),
        ...(remedy !== undefined ? { remedy } : {}),
      });
    } else {
      for (const l of errorLines(e, message, remedy, code, parsed?.positionals[0])) fallback.error(l);
    }
    return code;
  }
}

/**
 * A failure as the operator reads it (CLI.md: the reason and the remedy): the reason on the ✖ line,
 * never an internal class name ("UsageError:", "PreflightError:"); the exit code already says
 * which kind it is. A configuration error keeps its heading: it lists one problem per line.
 */
export function errorLines(e: unknown, message: string, remedy: string | undefined, code: number, env: string | undefined): string[] {
  const [first = "", ...rest] = message.split("\n");
  const lines =
    e instanceof ConfigError ? ["✖ configuration error:", ...message.split("\n").map((l) => `  ${l}`)] : [`✖ ${first}`, ...rest.map((l) => `  ${l}`)];
  if (remedy !== undefined) lines.push(`  next: ${remedy}`);
  if (code === 3 && !(e instanceof BluegreenError)) lines.push(`  the state may be inconsistent: run \`bluegreen status ${env ?? "ENV"}\``);
  return lines;
}

function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return realpathSync(script) === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
}

/**
 * Exits explicitly (a lingering keep-alive socket must not hold a CI job open), but only once
 * stdout and stderr have drained: a pipe takes 64 KB, and whatever was still queued behind it when
 * process.exit ran would be lost. An empty write's callback runs after every write queued before it.
 */
export function exitWhenDrained(code: number, streams: readonly NodeJS.WritableStream[] = [process.stdout, process.stderr]): void {
  process.exitCode = code;
  let pending = streams.length;
  const done = (): void => {
    pending -= 1;
    if (pending === 0) process.exit(code);
  };
  for (const s of streams) s.write("", done);
}

if (isEntryPoint()) {
  // Before the command (and the AWS SDK it loads) is imported, except for status: see heap.ts.
  // A command line that does not parse runs with them (main() reports the error).
  let command: string | undefined;
  try {
    command = parse(process.argv.slice(2)).command;
  } catch {
    command = undefined;
  }
  if (usesCliHeapFlags(command)) applyCliHeapFlags();
  main(process.argv.slice(2), { out: process.stdout, err: process.stderr, isTty: process.stdout.isTTY === true, env: process.env, ec2Thread: true }).then(
    (code) => {
      writeCallCounts(process.env);
      exitWhenDrained(code);
    },
    (e: unknown) => {
      writeCallCounts(process.env);
      process.stderr.write(`internal error: ${redact(String(e))}\n`);
      exitWhenDrained(3);
    },
  );
}
