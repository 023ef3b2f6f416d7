// docker logs: each line goes back to the stream (stdout/stderr) the bot wrote it on.
import { lastValue, parseArgs } from "../args.js";
import { DockerCliError, noSuchContainer, usageError } from "../cli-error.js";
import { findContainer } from "../container-record.js";
import type { CliContext } from "../context.js";
import { readLogEntries } from "../log-file.js";
import { containerLogFile } from "../paths.js";

export async function logsCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const args = parseArgs("logs", argv, [
    { long: "tail", short: "n", kind: "value" },
    { long: "timestamps", short: "t", kind: "bool" },
    { long: "follow", short: "f", kind: "bool" },
    { long: "details", kind: "bool" },
  ]);
  if (args.positionals.length !== 1) throw usageError("logs", '"docker logs" requires exactly 1 argument.');
  if (args.bools.has("follow")) throw usageError("logs", "sandbox runtime: docker logs --follow is not supported");
  const name = args.positionals[0] as string;
  const tail = lastValue(args, "tail") ?? "all";
  if (tail !== "all" && !/^-?\d+$/.test(tail)) {
    throw usageError("logs", `invalid argument "${tail}" for "-n, --tail" flag: must be "all" or a number`);
  }
  const record = await findContainer(ctx.paths, name);
  if (!record) throw new DockerCliError(noSuchContainer(name), 1);
  const entries = await readLogEntries(containerLogFile(ctx.paths, record.id));
  const count = tail === "all" || Number(tail) < 0 ? entries.length : Number(tail);
  const timestamps = args.bools.has("timestamps");
  for (const entry of count === 0 ? [] : entries.slice(-count)) {
    const text = timestamps ? `${rfc3339NanoFixed(entry.time)} ${entry.log}` : entry.log;
    if (entry.stream === "stderr") ctx.err(text);
    else ctx.out(text);
  }
  return 0;
}

/** docker prints --timestamps as RFC3339NanoFixed (nine fraction digits); the log file's times are ISO (milliseconds). */
export function rfc3339NanoFixed(iso: string): string {
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?Z$/.exec(iso);
  return m === null ? iso : `${m[1]}.${(m[2] ?? "").padEnd(9, "0").slice(0, 9)}Z`;
}
