// A small pflag-like parser: --long value, --long=value, -s value, -svalue, clustered -ds, `--` ends flags.
import { usageError } from "./cli-error.js";

export interface FlagSpec {
  long: string;
  short?: string;
  kind: "bool" | "value" | "list";
}

export interface ParsedArgs {
  values: Map<string, string[]>;
  bools: Set<string>;
  positionals: string[];
}

function parseBool(command: string, flag: string, text: string): boolean {
  if (["true", "1", "t", "T", "TRUE", "True"].includes(text)) return true;
  if (["false", "0", "f", "F", "FALSE", "False"].includes(text)) return false;
  throw usageError(command, `invalid argument "${text}" for "--${flag}" flag: strconv.ParseBool: parsing "${text}": invalid syntax`);
}

/**
 * `interspersed: false` stops at the first positional (docker run: what follows the image is the
 * container's command, not flags).
 */
export function parseArgs(command: string, argv: string[], specs: FlagSpec[], interspersed = true): ParsedArgs {
  const byLong = new Map(specs.map((s) => [s.long, s]));
  const byShort = new Map(specs.filter((s) => s.short).map((s) => [s.short as string, s]));
  const out: ParsedArgs = { values: new Map(), bools: new Set(), positionals: [] };
  const put = (spec: FlagSpec, value: string) => {
    const list = spec.kind === "list" ? (out.values.get(spec.long) ?? []) : [];
    out.values.set(spec.long, [...list, value]);
  };

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === "--") {
      out.positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      const name = arg.slice(2, eq >= 0 ? eq : undefined);
      const spec = byLong.get(name);
      if (!spec) throw usageError(command, `unknown flag: --${name}`);
      if (spec.kind === "bool") {
        if (eq < 0 || parseBool(command, name, arg.slice(eq + 1))) out.bools.add(name);
        else out.bools.delete(name);
        continue;
      }
      if (eq >= 0) put(spec, arg.slice(eq + 1));
      else if (i + 1 < argv.length) put(spec, argv[++i] as string);
      else throw usageError(command, `flag needs an argument: --${name}`);
      continue;
    }
    if (arg.startsWith("-") && arg.length > 1) {
      for (let j = 1; j < arg.length; j++) {
        const letter = arg[j] as string;
        const spec = byShort.get(letter);
        if (!spec) throw usageError(command, `unknown shorthand flag: '${letter}' in ${arg}`);
        if (spec.kind === "bool") {
          out.bools.add(spec.long);
          continue;
        }
        const rest = arg.slice(j + 1).replace(/^=/, "");
        if (rest !== "") put(spec, rest);
        else if (i + 1 < argv.length) put(spec, argv[++i] as string);
        else throw usageError(command, `flag needs an argument: '${letter}' in -${letter}`);
        break;
      }
      continue;
    }
    out.positionals.push(arg);
    if (!interspersed) {
      out.positionals.push(...argv.slice(i + 1));
      break;
    }
  }
  return out;
}

export function lastValue(args: ParsedArgs, long: string): string | undefined {
  const list = args.values.get(long);
  return list?.[list.length - 1];
}

export function allValues(args: ParsedArgs, long: string): string[] {
  return args.values.get(long) ?? [];
}
