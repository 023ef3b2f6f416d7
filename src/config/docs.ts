// docs/configuration.md, generated from the zod schema (through its JSON Schema, the same one
// editors read): every key with its type, default and description. The text is deterministic, so
// test/unit/docs-config.test.ts can fail when the committed file is stale.
import { DURATION_PATTERN } from "../util/duration.js";
import { SIZE_PATTERN } from "../util/size.js";
import { environmentJsonSchema } from "./json-schema.js";

type Node = Record<string, unknown>;

export const REGENERATE_DOCS = "npx tsc -p tsconfig.json && node dist/src/config/write-docs.js";

interface Row {
  key: string;
  type: string;
  def: string;
  description: string;
}

function typeOf(node: Node): string {
  if (Array.isArray(node.anyOf)) return (node.anyOf as Node[]).map(typeOf).join(" or ");
  if (Array.isArray(node.enum)) return (node.enum as unknown[]).map((v) => `\`${String(v)}\``).join(" | ");
  if (typeof node.$ref === "string") return "any JSON value";
  switch (node.type) {
    case "string": {
      if (node.pattern === DURATION_PATTERN) return "duration";
      if (node.pattern === SIZE_PATTERN) return "size";
      if (typeof node.pattern === "string" && node.pattern.startsWith("^\\$\\{env:")) return "`${env:NAME}`";
      return "string";
    }
    case "integer": {
      const min = node.minimum as number | undefined;
      const max = node.maximum as number | undefined;
      const bounded = (n: number | undefined): n is number => n !== undefined && Math.abs(n) < Number.MAX_SAFE_INTEGER;
      if (bounded(min) && bounded(max)) return `integer ${min}-${max}`;
      if (bounded(min)) return `integer ≥ ${min}`;
      return "integer";
    }
    case "boolean":
      return "boolean";
    case "array":
      return `list of ${typeOf((node.items ?? {}) as Node)}`;
    case "object":
      if (node.properties !== undefined) return "mapping";
      return `mapping of name: ${typeOf((node.additionalProperties ?? {}) as Node)}`;
    default:
      return "any";
  }
}

function defaultOf(node: Node, required: boolean): string {
  if (required) return "required";
  if (!("default" in node)) return "optional";
  const value = node.default;
  if (typeof value === "object" && value !== null && Object.keys(value).length === 0)
    return Array.isArray(value) ? "`[]`" : node.properties !== undefined ? "(all defaults)" : "`{}`";
  return `\`${typeof value === "string" ? value : JSON.stringify(value)}\``;
}

function rows(node: Node, prefix: string, out: Row[]): void {
  const objects = Array.isArray(node.anyOf) ? (node.anyOf as Node[]).filter((o) => o.properties !== undefined) : [node];
  for (const object of objects) {
    const properties = (object.properties ?? {}) as Record<string, Node>;
    const required = new Set((object.required ?? []) as string[]);
    for (const [name, child] of Object.entries(properties)) {
      const key = `${prefix}${name}`;
      out.push({ key, type: typeOf(child), def: defaultOf(child, required.has(name)), description: String(child.description ?? "") });
      if (child.type === "array" && (child.items as Node | undefined)?.properties !== undefined) rows(child.items as Node, `${key}[].`, out);
      else rows(child, `${key}.`, out);
    }
  }
}

/** Table-safe: pipes escaped, and <name> must not read as an HTML tag. */
const cell = (text: string): string => text.replaceAll("|", "\\|").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll("\n", " ");

export function configurationMarkdown(): string {
  const schema = environmentJsonSchema();
  const sections = Object.entries((schema.properties ?? {}) as Record<string, Node>);
  const required = new Set((schema.required ?? []) as string[]);
  const lines = [
    "# Configuration reference: `environments/<name>.yaml`",
    "",
    `<!-- Generated from the zod schema (src/config/schema*.ts) by \`${REGENERATE_DOCS}\`. Do not edit by hand: test/unit/docs-config.test.ts fails when this file is stale. -->`,
    "",
    String(schema.description ?? ""),
    "",
    "- **duration**: `500ms`, `30s`, `5m`, `1h`, `1h30m`. **size**: `400m`, `1g` (b, k, m, g).",
    "- **`${env:NAME}`**: a secret is never written in the file; it names the environment variable that holds it.",
    '- Unknown keys are errors (with a "did you mean"). Cross-field rules (distinct target groups and ports,',
    "  webhook URL rules, `bake >= interval`, ...) are checked by `bluegreen validate`; see the README.",
    "- Editors complete and check the file from `schema/environment.schema.json` (generated from the same schema).",
    "",
  ];
  for (const [name, node] of sections) {
    lines.push(`## \`${name}\``, "", `${cell(String(node.description ?? ""))} — ${typeOf(node)}, ${defaultOf(node, required.has(name))}.`, "");
    const table: Row[] = [];
    rows(node, `${name}.`, table);
    if (table.length === 0) continue;
    lines.push("| key | type | default | description |", "|---|---|---|---|");
    for (const r of table) lines.push(`| \`${r.key}\` | ${cell(r.type)} | ${cell(r.def)} | ${cell(r.description)} |`);
    lines.push("");
  }
  lines.push(...EXAMPLES);
  return `${lines.join("\n").trimEnd()}\n`;
}

/** Hand-written, but checked: test/unit/docs-config.test.ts loads this YAML through the real loader. */
export const OPERATE_EXAMPLE = `notify:
  telegram:
    chatId: -1001234567890              # the ops chat; the bot must be a member
    # botToken: \${env:OPS_BOT_TOKEN}   # another bot; default: telegram.botToken
  webhook:
    url: https://hooks.example.com/bluegreen
    secretHeader: \${env:BLUEGREEN_HOOK_SECRET}   # sent as X-Bluegreen-Secret
hooks:
  preRelease: [./scripts/backup-state.sh, --environment, production]   # fails -> nothing changes
  postCutover: [./scripts/smoke.sh]
  postRelease: [./scripts/announce.sh]
  postRollback: [./scripts/page-oncall.sh]
  timeout: 2m
`;

const EXAMPLES = [
  "## Example: notifications and hooks",
  "",
  "```yaml",
  ...OPERATE_EXAMPLE.trimEnd().split("\n"),
  "```",
  "",
  "- A notification reads e.g. `✅ production: released r20261128T171422Z-78dd (telegram-bot@sha256:3f2a9c1b7d4e…) on green` or",
  "  `↩️ production: release r… rolled back automatically: bake failed: …; blue is live again`. The webhook receives",
  '  `{ type: "bluegreen.outcome", at, text, command, environment, outcome, releaseId, image, colour, from, reason?, promotedFrom?, repair? }` (`repair: { next }`: a release cancelled while it repaired an interrupted earlier run, and what finishes that repair).',
  "- Hooks see `BLUEGREEN_ENVIRONMENT`, `BLUEGREEN_COLOUR` (the colour being released or rolled back to),",
  "  `BLUEGREEN_PREVIOUS_COLOUR` (empty on a first release), `BLUEGREEN_IMAGE` (repository@sha256:digest) and",
  "  `BLUEGREEN_RELEASE_ID`, plus this process's environment. A hook past `timeout` is killed with its whole process group.",
  "",
];
