// Help text, printed from the command table (table.ts) that parse checks flags against: the global
// help, and each command's own (`bluegreen rollback --help`) with the flags it takes. Imports only
// the table, so `bluegreen --help` starts fast.
import { COMMAND_SPECS, COMMANDS, COMMON_FLAGS, type CommandName, type CommandSpec, commandsTaking, FLAGS, type FlagName, flagLabel } from "./table.js";

const USAGE_WIDTH = 45;
const FLAG_WIDTH = 24;

function usageLines(command: CommandName): string[] {
  const spec: CommandSpec = COMMAND_SPECS[command];
  const usage = `bluegreen ${spec.usage}`;
  const [first = "", ...more] = spec.summary;
  const indent = " ".repeat(USAGE_WIDTH + 2);
  if (usage.length < USAGE_WIDTH) return [`  ${usage.padEnd(USAGE_WIDTH)}${first}`, ...more.map((l) => `${indent}${l}`)];
  return [`  ${usage}`, ...spec.summary.map((l) => `${indent}${l}`)];
}

function flagLine(name: FlagName, prefix = ""): string {
  return `  ${flagLabel(name).padEnd(FLAG_WIDTH)}${prefix}${FLAGS[name].help}`;
}

const EXIT_CODES = `Exit codes:
  0  done (released / rolled back / promoted; status consistent; rehearsal passed)
  1  failed before any traffic moved: the live release never changed (rehearse: a check failed)
  2  failed after traffic moved; the automatic rollback put the previous release back live
  3  needs a human: the rollback itself failed, or status finds drift
  64 usage or configuration error: nothing was touched
  75 another run holds the lock: nothing was touched (status: a release or rollback is in progress)
  130/143  cancelled by SIGINT/SIGTERM before traffic moved (after, a cancel rolls back: 2); a second signal exits at once
`;

const COMMAND_FLAGS = (Object.keys(FLAGS) as FlagName[]).filter((f) => !COMMON_FLAGS.includes(f));

export const HELP = `bluegreen: blue-green releases of Telegram webhook bots on AWS (EC2 + ALB), with automatic rollback

Usage:
${COMMANDS.flatMap(usageLines).join("\n")}

ENV is a name (environments/<ENV>.yaml under the current folder or --config-dir) or a path to a .yaml file.
REF is a tag (v2, :v2), a digest (@sha256:...), or the configured repository with either.
\`bluegreen COMMAND --help\` lists the flags each command takes; a flag it does not take is refused (exit 64).

Flags (every command):
${COMMON_FLAGS.map((f) => flagLine(f)).join("\n")}

Flags (only the commands named):
${COMMAND_FLAGS.map((f) => flagLine(f, `${commandsTaking(f).join(", ")}: `)).join("\n")}

${EXIT_CODES}`;

/** `bluegreen COMMAND --help`: its usage, what it does, and exactly the flags it takes. */
export function commandHelp(command: CommandName): string {
  const spec: CommandSpec = COMMAND_SPECS[command];
  const own =
    spec.actions === undefined
      ? spec.flags.map((f) => flagLine(f))
      : Object.entries(spec.actions).flatMap(([action, flags]) => flags.map((f) => flagLine(f, `${command} ${action}: `)));
  return `Usage:
${usageLines(command).join("\n")}

${own.length > 0 ? `Flags:\n${own.join("\n")}\n\n` : `Flags: none of its own.\n\n`}Common flags:
${COMMON_FLAGS.map((f) => flagLine(f)).join("\n")}

${EXIT_CODES}`;
}
