// Loading an environment file: YAML (with positions) -> schema -> secrets -> cross-field rules.
// Every problem becomes "path.to.key: message (file:line:col)"; all problems are reported at once,
// in the order they appear in the file.
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { isMap, LineCounter, parseDocument } from "yaml";
import { buildConfig } from "./build.js";
import { type ConfigPath, formatPath, PositionIndex } from "./positions.js";
import { MAX_REFERENCED_FILE_BYTES, readCheckedFile } from "./referenced-files.js";
import { checkRules } from "./rules.js";
import { environmentSchema } from "./schema.js";
import { type Finding, findingsFromIssues, genericMessage } from "./schema-issues.js";
import { type Env, referencesOutsideSecretFields } from "./secrets.js";
import type { Config, LoadResult } from "./types.js";
import { syntaxError } from "./yaml-errors.js";

export interface LoadTextOptions {
  /** Set when loading by environment name: the file's `environment:` must equal it. */
  expectedName?: string | undefined;
}

const located = new WeakMap<Config, { file: string; index: PositionIndex }>();

/** "file:line:col" of a path in the file a config was loaded from (undefined for configs built elsewhere). */
export function sourcePosition(config: Config, path: ConfigPath): string | undefined {
  const origin = located.get(config);
  if (origin === undefined) return undefined;
  const { line, col } = origin.index.locate(path);
  return `${origin.file}:${line}:${col}`;
}

export function loadEnvironmentText(text: string, file: string, env: Env, options: LoadTextOptions = {}): LoadResult {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const index = new PositionIndex(doc, lines);
  const at = (offset: number): string => {
    const { line, col } = index.positionOf(offset);
    return `${file}:${line}:${col}`;
  };
  const [firstError] = doc.errors;
  if (firstError !== undefined) return { ok: false, file, errors: [syntaxError(firstError, text, index, file)] };
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    return { ok: false, file, errors: [`${at(0)}: YAML syntax error: ${(error as Error).message}`] };
  }
  if (!isMap(doc.contents)) {
    const what = doc.contents === null ? "the file is empty" : "the file must be a mapping of keys, not a single value or list";
    const keys = "environment, aws, loadBalancer, colours, hosts, container and telegram";
    return { ok: false, file, errors: [`${at(doc.contents?.range?.[0] ?? 0)}: ${what}; it needs ${keys}`] };
  }

  const report = (findings: Finding[]): LoadResult => ({ ok: false, file, errors: formatFindings(findings, index, file) });
  const misplaced = referencesOutsideSecretFields(raw);
  const parsed = environmentSchema.safeParse(raw, { error: genericMessage });
  if (!parsed.success) {
    const taken = new Set(misplaced.map((finding) => formatPath(finding.path)));
    const schemaFindings = findingsFromIssues(parsed.error.issues, raw, environmentSchema).filter((finding) => !taken.has(formatPath(finding.path)));
    return report([...misplaced, ...schemaFindings]);
  }
  const built = buildConfig(parsed.data, file, env);
  const findings = [...misplaced, ...built.findings, ...checkRules(built.config, { file, expectedName: options.expectedName, unresolved: built.unresolved })];
  if (findings.length > 0) return report(findings);
  located.set(built.config, { file, index });
  return { ok: true, file, config: built.config, secrets: built.secrets };
}

function formatFindings(findings: Finding[], index: PositionIndex, file: string): string[] {
  const placed = findings.map((finding, order) => ({ finding, order, position: index.locate(finding.path) }));
  placed.sort((a, b) => a.position.line - b.position.line || a.position.col - b.position.col || a.order - b.order);
  const lines = placed.map(({ finding, position }) => {
    const where = `${file}:${position.line}:${position.col}`;
    return finding.path.length === 0 ? `${where}: ${finding.message}` : `${formatPath(finding.path)}: ${finding.message} (${where})`;
  });
  return [...new Set(lines)];
}

export interface LoadOptions {
  /** The folder holding environments/ (default: the current folder). */
  configDir?: string | undefined;
  env?: Env | undefined;
}

const ENVIRONMENT_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

/** `production` -> <configDir>/environments/production.yaml; a path ending in .yaml/.yml is used as is. */
export async function loadEnvironment(nameOrPath: string, options: LoadOptions = {}): Promise<LoadResult> {
  const environmentsDir = options.configDir === undefined ? "environments" : join(options.configDir, "environments");
  const byPath = /\.ya?ml$/i.test(nameOrPath);
  if (!byPath && !ENVIRONMENT_NAME.test(nameOrPath))
    return {
      ok: false,
      file: nameOrPath,
      errors: [`${nameOrPath}: not an environment name or a .yaml file; give a name like production or a path ending in .yaml`],
    };
  let file = byPath ? nameOrPath : join(environmentsDir, `${nameOrPath}.yaml`);
  let read = await readText(file);
  if ("missing" in read && !byPath) {
    const alternative = join(environmentsDir, `${nameOrPath}.yml`);
    const alternativeRead = await readText(alternative);
    if (!("missing" in alternativeRead)) [file, read] = [alternative, alternativeRead];
  }
  if ("missing" in read) {
    // The generic "fix the configuration" does not fit a file that is not there: say how to get one.
    if (byPath)
      return {
        ok: false,
        file,
        errors: [`${file}: no such file (a path ending in .yaml is read as given, not looked up in environments/)`],
        remedy:
          'check the path, or create the file (README "Configuration"; environments/*.yaml of the bluegreen repository are commented examples); to read DIR/environments/NAME.yaml give the NAME and --config-dir DIR',
      };
    const known = await listEnvironments(environmentsDir);
    const has = known.length === 0 ? "has none" : `has: ${known.join(", ")}`;
    return {
      ok: false,
      file,
      errors: [`${file}: no such environment file (environments/ ${has})`],
      remedy: `create ${file} (README "Configuration"), or run where environments/ is, or pass --config-dir DIR for the folder that holds environments/`,
    };
  }
  if ("problem" in read) return { ok: false, file, errors: [`${file}: ${read.problem}; ${read.fix}`] };
  return loadEnvironmentText(read.text, file, options.env ?? process.env, { expectedName: byPath ? undefined : nameOrPath });
}

/**
 * The environment file, read only if it is a regular file of at most 1 MB (stat first: a FIFO
 * would block the open, and a 50 MB file of junk keys would take minutes to parse and report).
 */
async function readText(file: string): Promise<{ text: string } | { missing: true } | { problem: string; fix: string }> {
  const read = await readCheckedFile(file, MAX_REFERENCED_FILE_BYTES);
  if (read.ok) return { text: read.text };
  if (read.problem === "does not exist") return { missing: true };
  return read;
}

/** Environment names (file names without .yaml/.yml) in an environments folder, sorted; [] if it is missing. */
export async function listEnvironments(dir: string): Promise<string[]> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch {
    return [];
  }
  const names = entries.filter((entry) => /\.ya?ml$/i.test(entry)).map((entry) => entry.replace(/\.ya?ml$/i, ""));
  return [...new Set(names)].sort();
}
