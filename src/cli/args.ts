// Command-line parsing (node:util parseArgs): flags per CLI.md; unknown flags are usage errors, and so
// is a flag the command does not take (table.ts), since a flag silently ignored runs something else
// than what was asked (`rollback --image v1` put another release live).
import { parseArgs } from "node:util";
import { UsageError } from "../errors.js";
import { parseDuration } from "../util/duration.js";
import { COMMAND_SPECS, COMMANDS, COMMON_FLAGS, type CommandName, type CommandSpec, commandsTaking, FLAGS, type FlagName, flagsOf } from "./table.js";

export { COMMANDS, type CommandName } from "./table.js";

export interface Flags {
  json: boolean;
  configDir: string | undefined;
  verbose: boolean;
  noColor: boolean;
  help: boolean;
  version: boolean;
  image: string | undefined;
  bakeMs: number | undefined;
  dryRun: boolean;
  lockWaitMs: number;
  yes: boolean;
  force: boolean;
  watch: boolean;
  limit: number;
  allowUnhealthyLive: boolean;
  /** rehearse: build context, Dockerfile, a folder of update files, real secrets. */
  build: string | undefined;
  file: string | undefined;
  updates: string | undefined;
  withSecrets: boolean;
  /** sandbox up: start as a production that runs without bluegreen (bot-legacy, unlabelled containers). */
  legacy: boolean;
}

export interface Parsed {
  command: CommandName | undefined;
  positionals: string[];
  flags: Flags;
}

function duration(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const ms = parseDuration(v);
  if (ms === null) throw new UsageError(`--${flag} ${JSON.stringify(v)}: not a duration`, `use a duration like 30s, 5m or 1h`);
  return ms;
}

export function parse(argv: string[]): Parsed {
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: Object.fromEntries(Object.entries(FLAGS).map(([name, f]) => [name, { type: f.type, ...("short" in f ? { short: f.short } : {}) }])) as Record<
        string,
        { type: "boolean" | "string"; short?: string }
      >,
    }) as { values: Record<string, string | boolean | undefined>; positionals: string[] });
  } catch (e) {
    throw new UsageError((e as Error).message.replace(/\. To specify a positional.*$/s, ""), "see `bluegreen --help`");
  }
  const [first, ...rest] = positionals;
  if (first !== undefined && !(COMMANDS as readonly string[]).includes(first)) {
    throw new UsageError(`unknown command ${JSON.stringify(first)}`, `commands: ${COMMANDS.join(", ")} (see \`bluegreen --help\`)`);
  }
  if (first !== undefined) checkFlags(first as CommandName, rest[0], values);
  const limitText = values.limit as string | undefined;
  const limit = limitText === undefined ? 20 : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000)
    throw new UsageError(`--limit ${JSON.stringify(limitText)}: must be a whole number from 1 to 10000`);
  const str = (k: string): string | undefined => values[k] as string | undefined;
  const bool = (k: string): boolean => values[k] === true;
  return {
    command: first as CommandName | undefined,
    positionals: rest,
    flags: {
      json: bool("json"),
      configDir: str("config-dir"),
      verbose: bool("verbose"),
      noColor: bool("no-color"),
      help: bool("help"),
      version: bool("version"),
      image: str("image"),
      bakeMs: duration("bake", str("bake")),
      dryRun: bool("dry-run"),
      lockWaitMs: duration("lock-wait", str("lock-wait")) ?? 0,
      yes: bool("yes"),
      force: bool("force"),
      watch: bool("watch"),
      limit,
      allowUnhealthyLive: bool("allow-unhealthy-live"),
      legacy: bool("legacy"),
      build: str("build"),
      file: str("file"),
      updates: str("updates"),
      withSecrets: bool("with-secrets"),
    },
  };
}

/** Words for a flag a command does not take, where "see the help" would not say what to do instead. */
const INSTEAD: Partial<Record<`${CommandName} ${FlagName}`, string>> = {
  "rollback image":
    "a rollback always puts the previous release back; to put a specific release live, `bluegreen release ENV --image <tag>` (or `--image @sha256:<digest>`; `bluegreen history ENV` lists the releases and their images)",
  "promote image": "promote takes the digest live in FROM; to release a specific image to TO, `bluegreen release TO --image <tag>`",
  "plan dry-run": "plan never changes anything: drop --dry-run",
};

/** A flag the command (or its action) does not take is a usage error, before anything is read. */
function checkFlags(command: CommandName, action: string | undefined, values: Record<string, unknown>): void {
  const spec: CommandSpec = COMMAND_SPECS[command];
  const known = spec.actions !== undefined && action !== undefined && action in spec.actions ? action : undefined;
  const allowed = new Set<string>([...COMMON_FLAGS, ...flagsOf(command, known)]);
  for (const name of Object.keys(values) as FlagName[]) {
    if (values[name] === undefined || allowed.has(name)) continue;
    if (name === "dry-run" && command !== "plan") throw noDryRun(command);
    const where = `\`bluegreen ${command}${known !== undefined ? ` ${known}` : ""}\``;
    const own = [...allowed].filter((f) => !COMMON_FLAGS.includes(f as FlagName)).map((f) => `--${f}`);
    throw new UsageError(
      `--${name} is not a flag of ${where}; nothing was touched`,
      INSTEAD[`${command} ${name}`] ??
        `--${name} is for ${commandsTaking(name)
          .map((c) => `\`bluegreen ${c}\``)
          .join(", ")}; ${where} takes ${own.length > 0 ? `${own.join(", ")} and ` : ""}the common flags (see \`bluegreen ${command} --help\`)`,
    );
  }
}

/**
 * Only `release` has a dry run (= `plan`, CLI.md). Anywhere else `--dry-run` was silently ignored and
 * the command ran for real (a `rollback --dry-run` rolled back): refuse it, saying what shows the same.
 */
function noDryRun(command: CommandName): UsageError {
  const instead: Partial<Record<CommandName, string>> = {
    rollback:
      "`bluegreen status ENV` shows the previous release a rollback would put back and whether its colour is warm; `bluegreen history ENV` lists the releases",
    promote: "`bluegreen status FROM` shows the digest live in FROM; `bluegreen plan TO --image @sha256:<digest>` shows the steps promoting it would run",
  };
  return new UsageError(
    `--dry-run: \`bluegreen ${command}\` has no dry run (only \`bluegreen release\`, where it is \`bluegreen plan\`); nothing was touched`,
    instead[command] ?? "drop --dry-run; `bluegreen plan ENV --image REF` shows what a release would do",
  );
}

/**
 * The command that actually runs (`release --dry-run` runs `plan`) and whether it changes things:
 * only those wind down on SIGINT/SIGTERM instead of dying mid-step.
 */
export function runsAs(p: { command: CommandName; flags: Pick<Flags, "dryRun"> }): { command: CommandName; changes: boolean } {
  const command = p.command === "release" && p.flags.dryRun ? "plan" : p.command;
  return { command, changes: CHANGING.has(command) };
}

const CHANGING: ReadonlySet<CommandName> = new Set(["release", "promote", "rollback"]);

export function expectPositionals(p: Parsed, names: string[]): string[] {
  if (p.positionals.length !== names.length) {
    throw new UsageError(
      `${p.command} takes ${names.join(" ")}${p.positionals.length > names.length ? `; unexpected ${JSON.stringify(p.positionals[names.length])}` : ""}`,
      `usage: bluegreen ${p.command} ${names.join(" ")}`,
    );
  }
  return p.positionals;
}
