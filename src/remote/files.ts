// Writing files on a host without putting their content on a command line: the content goes
// through stdin, the script is a fixed string, and the path is a positional argument ($1).
export const writeFilePrivate = (path: string): string[] => [
  "sh",
  "-c",
  'umask 077 && mkdir -p "$(dirname "$1")" && cat > "$1.tmp.$$" && mv -f "$1.tmp.$$" "$1"',
  "sh",
  path,
];

export const appendLine = (path: string): string[] => ["sh", "-c", 'umask 077 && mkdir -p "$(dirname "$1")" && cat >> "$1"', "sh", path];

export const readFile = (path: string): string[] => ["sh", "-c", 'if [ -f "$1" ]; then cat "$1"; fi', "sh", path];

/** Docker's env-file format: KEY=VALUE per line, taken literally (no quotes, no escapes, no newlines). */
export function envFileContent(env: Record<string, string>): string {
  return `${Object.entries(env)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => {
      if (/[\r\n\0]/.test(v)) throw new Error(`environment variable ${k}: a value may not contain a newline or NUL (docker env files cannot carry it)`);
      return `${k}=${v}`;
    })
    .join("\n")}\n`;
}
