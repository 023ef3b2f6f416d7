// Command-line parsing (node:util parseArgs): flags per CLI.md; unknown flags are usage errors.
import { parseArgs } from "node:util";
import { UsageError } from "../errors.js";
import { parseDuration } from "../util/duration.js";

export const COMMANDS = ["validate", "plan", "rehearse", "release", "rollback", "promote", "status", "history", "lock", "sandbox"] as const;
export type CommandName = (typeof COMMANDS)[number];

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
      options: {
        json: { type: "boolean" },
        "config-dir": { type: "string" },
        verbose: { type: "boolean", short: "v" },
        "no-color": { type: "boolean" },
        help: { type: "boolean", short: "h" },
        version: { type: "boolean" },
        image: { type: "string" },
        bake: { type: "string" },
        "dry-run": { type: "boolean" },
        "lock-wait": { type: "string" },
        yes: { type: "boolean", short: "y" },
        force: { type: "boolean" },
        watch: { type: "boolean" },
        limit: { type: "string" },
        "allow-unhealthy-live": { type: "boolean" },
        build: { type: "string" },
        file: { type: "string" },
        updates: { type: "string" },
        "with-secrets": { type: "boolean" },
        legacy: { type: "boolean" },
      },
    }) as { values: Record<string, string | boolean | undefined>; positionals: string[] });
  } catch (e) {
    throw new UsageError((e as Error).message.replace(/\. To specify a positional.*$/s, ""), "see `bluegreen --help`");
  }
  const [first, ...rest] = positionals;
  if (first !== undefined && !(COMMANDS as readonly string[]).includes(first)) {
    throw new UsageError(`unknown command ${JSON.stringify(first)}`, `commands: ${COMMANDS.join(", ")} (see \`bluegreen --help\`)`);
  }
  if (values["dry-run"] === true && first !== undefined && first !== "release") throw noDryRun(first as CommandName);
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
