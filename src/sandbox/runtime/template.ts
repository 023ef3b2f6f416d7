// The slice of Go text/template that docker --format strings use: {{.A.B}}, {{json .}},
// {{json .A}}, {{index .Config.Labels "key"}}, literal text, and \t \n escapes.

export class TemplateError extends Error {}

function lookupPath(data: unknown, path: string): unknown {
  if (path === ".") return data;
  if (!path.startsWith(".")) throw new TemplateError(`template: :1: function "${path}" not defined`);
  let value: unknown = data;
  for (const key of path.slice(1).split(".")) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/** Go's fmt %v for the JSON-shaped values the views hold. */
export function goValue(value: unknown): string {
  if (value === undefined) return "<no value>";
  if (value === null) return "<nil>";
  if (Array.isArray(value)) return `[${value.map(goValue).join(" ")}]`;
  if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1));
    return `map[${entries.map(([k, v]) => `${k}:${goValue(v)}`).join(" ")}]`;
  }
  return String(value);
}

function evaluate(action: string, data: unknown): string {
  const words = action.match(/"(?:[^"\\]|\\.)*"|\S+/g) ?? [];
  const [head, ...rest] = words;
  if (head === undefined) throw new TemplateError("template: :1: missing value for command");
  if (head === "json") {
    if (rest.length !== 1) throw new TemplateError("template: :1: wrong number of args for json: want 1");
    const value = lookupPath(data, rest[0] as string);
    return JSON.stringify(value === undefined ? null : value);
  }
  if (head === "index") {
    let value = lookupPath(data, rest[0] ?? "");
    for (const keyWord of rest.slice(1)) {
      const key: unknown = JSON.parse(keyWord);
      value = value !== null && typeof value === "object" ? (value as Record<string, unknown>)[String(key)] : undefined;
    }
    return value === undefined ? "" : goValue(value);
  }
  if (!head.startsWith(".")) throw new TemplateError(`template: :1: function "${head}" not defined`);
  if (rest.length > 0) throw new TemplateError(`template: :1: can't give argument to non-function ${head}`);
  return goValue(lookupPath(data, head));
}

export function renderTemplate(format: string, data: unknown): string {
  const text = format.replace(/\\t/g, "\t").replace(/\\n/g, "\n");
  let out = "";
  let last = 0;
  for (const match of text.matchAll(/\{\{-?\s*(.*?)\s*-?\}\}/g)) {
    out += text.slice(last, match.index);
    out += evaluate(match[1] as string, data);
    last = (match.index ?? 0) + match[0].length;
  }
  return out + text.slice(last);
}
