// The one table of commands and their flags: parse (args.ts) accepts a flag only on a command that
// lists it, and both helps (help.ts) are printed from it, so what a command takes and what its help
// says cannot drift apart. No imports: `--help` must start fast.

export interface FlagSpec {
  type: "boolean" | "string";
  short?: string;
  /** The value's placeholder in the help (string flags). */
  value?: string;
  help: string;
}

export const FLAGS = {
  json: { type: "boolean", help: "one JSON object per line on stdout (events, then a result)" },
  "config-dir": { type: "string", value: "DIR", help: "where environments/ lives (default: the current folder)" },
  verbose: { type: "boolean", short: "v", help: "more detail (never secrets)" },
  "no-color": { type: "boolean", help: "no colours (NO_COLOR is honoured too)" },
  help: { type: "boolean", short: "h", help: "this help" },
  version: { type: "boolean", help: "the version" },
  image: { type: "string", value: "REF", help: "the image: a tag (v2), a digest (@sha256:...), or the configured repository with either" },
  bake: { type: "string", value: "DURATION", help: "override the bake window (e.g. 30s, 5m)" },
  "dry-run": { type: "boolean", help: "print the plan instead (= bluegreen plan)" },
  "lock-wait": { type: "string", value: "DURATION", help: "wait this long for another run's lock instead of exiting 75" },
  yes: { type: "boolean", short: "y", help: "confirm without a prompt (a protected environment; lock release --force on a live lock)" },
  // lock status takes it only because CLI.md's synopsis is `lock status|release ENV [--force]` (review2-s9 L2).
  force: { type: "boolean", help: "remove a lock that is not yours (lock release; lock status accepts it with no effect)" },
  watch: { type: "boolean", help: "refresh every 2 s on a terminal" },
  limit: { type: "string", value: "N", help: "how many records, newest first (default 20)" },
  "allow-unhealthy-live": { type: "boolean", help: "release even though the live colour is unhealthy (no safe rollback)" },
  build: { type: "string", value: "DIR", help: "docker build DIR first (tagged REF) and rehearse the result" },
  file: { type: "string", value: "DOCKERFILE", help: "with --build: the Dockerfile (default DIR/Dockerfile)" },
  updates: { type: "string", value: "DIR", help: "also post every *.json update file in DIR to the webhook" },
  "with-secrets": { type: "boolean", help: "give the container the real secrets (needs rehearse.apiBaseEnv)" },
  legacy: { type: "boolean", help: "start as production runs before bluegreen (adopted by the first release)" },
} as const satisfies Record<string, FlagSpec>;

export type FlagName = keyof typeof FLAGS;

/** Every command takes these (CLI.md: common flags). */
export const COMMON_FLAGS: readonly FlagName[] = ["json", "config-dir", "verbose", "no-color", "help", "version"];

export interface CommandSpec {
  usage: string;
  /** One line per entry in the help. */
  summary: string[];
  flags: readonly FlagName[];
  /** lock and sandbox: each action's own flags (the first positional names it). */
  actions?: Record<string, readonly FlagName[]>;
}

export const COMMAND_SPECS = {
  validate: { usage: "validate [ENV ...]", summary: ["check environments/<ENV>.yaml (all of them when none is named)"], flags: [] },
  plan: { usage: "plan ENV --image REF", summary: ["the steps and exact host commands a release would run; changes nothing"], flags: ["image", "bake"] },
  rehearse: {
    usage: "rehearse ENV --image REF [--build DIR [--file F]] [--updates DIR] [--with-secrets]",
    summary: [
      "the deployment checklist against the real image on a local Docker engine,",
      "run as a release would run it; exit 0 when every check passes, 1 otherwise",
    ],
    flags: ["image", "build", "file", "updates", "with-secrets"],
  },
  release: {
    usage: "release ENV --image REF",
    summary: ["blue-green release with automatic rollback"],
    flags: ["image", "bake", "dry-run", "lock-wait", "yes", "allow-unhealthy-live"],
  },
  rollback: { usage: "rollback ENV", summary: ["put the previous release back live (instant while its colour is warm)"], flags: ["lock-wait", "yes"] },
  promote: {
    usage: "promote FROM TO",
    summary: ["release TO with the exact image digest live and verified in FROM"],
    flags: ["bake", "lock-wait", "yes", "allow-unhealthy-live"],
  },
  status: { usage: "status ENV [--watch]", summary: ["live colour, webhook, both colours, lock, drift"], flags: ["watch"] },
  history: { usage: "history ENV [--limit N]", summary: ["past releases and rollbacks, newest first"], flags: ["limit"] },
  lock: {
    usage: "lock status|release ENV [--force]",
    summary: ["the deploy lock"],
    flags: ["force", "yes"],
    actions: { status: ["force"], release: ["force", "yes"] },
  },
  sandbox: {
    usage: "sandbox up|down|status",
    summary: [
      "the embedded local world (AWS + Telegram emulators, local runtime);",
      "up --legacy: as production runs before bluegreen (adopted by the first release)",
    ],
    flags: ["legacy"],
    actions: { up: ["legacy"], down: [], status: [] },
  },
} as const satisfies Record<string, CommandSpec>;

export type CommandName = keyof typeof COMMAND_SPECS;
export const COMMANDS = Object.keys(COMMAND_SPECS) as CommandName[];

/** The flags `command` (and its action, for lock and sandbox) takes besides the common ones. */
export function flagsOf(command: CommandName, action?: string): readonly FlagName[] {
  const spec: CommandSpec = COMMAND_SPECS[command];
  return (action !== undefined ? spec.actions?.[action] : undefined) ?? spec.flags;
}

/** The commands (or "lock release"-style actions) that take `flag`. */
export function commandsTaking(flag: FlagName): string[] {
  return COMMANDS.flatMap((c) => {
    const spec: CommandSpec = COMMAND_SPECS[c];
    if (spec.actions === undefined) return spec.flags.includes(flag) ? [c] : [];
    return Object.entries(spec.actions).flatMap(([a, flags]) => (flags.includes(flag) ? [`${c} ${a}`] : []));
  });
}

export function flagLabel(name: FlagName): string {
  const f: FlagSpec = FLAGS[name];
  return `--${name}${f.value !== undefined ? ` ${f.value}` : ""}${f.short !== undefined ? `, -${f.short}` : ""}`;
}
