// Docker's --env-file format (docker/cli opts/file.go): one KEY=VALUE per line, leading whitespace
// and `#` comment lines ignored, the value passed through literally (no quotes, no trimming), a bare
// KEY taken from the caller's environment when set there and dropped otherwise.

export class EnvFormatError extends Error {}

const WHITESPACE = /[ \t]/;

export function parseEnvFile(text: string, lookup: (key: string) => string | undefined): string[] {
  const entries: string[] = [];
  const lines = text.replace(/^\uFEFF/, "").split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  for (const raw of lines) {
    const line = raw.replace(/\r$/, "").replace(/^\s+/, "");
    if (line === "" || line.startsWith("#")) continue;
    const eq = line.indexOf("=");
    const key = (eq >= 0 ? line.slice(0, eq) : line).replace(/^[ \t]+/, "");
    if (WHITESPACE.test(key)) {
      throw new EnvFormatError(`poorly formatted environment: variable '${key}' contains whitespaces`);
    }
    if (key === "") throw new EnvFormatError(`poorly formatted environment: no variable name on line '${line}'`);
    if (eq >= 0) {
      entries.push(`${key}=${line.slice(eq + 1)}`);
      continue;
    }
    const value = lookup(key);
    if (value !== undefined) entries.push(`${key}=${value}`);
  }
  return entries;
}

/** `--env K=V` passes through; `--env K` copies K from the caller's environment when it is set. */
export function parseEnvFlag(value: string, lookup: (key: string) => string | undefined): string | null {
  const eq = value.indexOf("=");
  const key = eq >= 0 ? value.slice(0, eq) : value;
  if (key === "") throw new EnvFormatError(`invalid environment variable: ${value}`);
  if (eq >= 0) return value;
  const found = lookup(key);
  return found === undefined ? null : `${key}=${found}`;
}

/** Later entries win, in the position of the first occurrence (the order docker shows). */
export function mergeEnv(...lists: string[][]): string[] {
  const values = new Map<string, string>();
  for (const list of lists) {
    for (const entry of list) {
      const eq = entry.indexOf("=");
      values.set(eq >= 0 ? entry.slice(0, eq) : entry, entry);
    }
  }
  return [...values.values()];
}

export function envToObject(entries: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of entries) {
    const eq = entry.indexOf("=");
    if (eq > 0) out[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return out;
}

/** Docker's merge of image and user env: the user's entries first, then image entries they don't override. */
export function withImageEnv(imageEnv: string[], userEnv: string[]): string[] {
  const user = mergeEnv(userEnv);
  const keys = new Set(user.map((e) => e.split("=", 1)[0]));
  return [...user, ...imageEnv.filter((e) => !keys.has(e.split("=", 1)[0]))];
}
