// Turns zod issues into "path: message" findings an operator can act on: missing keys say what to
// add, unknown keys suggest the likely intended key, unions report the branch the value was meant
// for. Messages never echo values of secret fields.
import type { z } from "zod";
import { SECRET_EXAMPLE_MARKER, SECRET_REF } from "./fields.js";
import type { ConfigPath } from "./positions.js";
import { keysAt, suggestKey } from "./schema-keys.js";

export interface Finding {
  path: ConfigPath;
  message: string;
}

type Issue = z.core.$ZodIssue;

/** Fallback wording for issues whose schema has no message of its own. */
export function genericMessage(issue: z.core.$ZodRawIssue): string | undefined {
  if (issue.code !== "invalid_type") return undefined;
  switch (issue.expected) {
    case "object":
      return "must be a mapping (key: value)";
    case "array":
      return "must be a list";
    case "string":
      return "must be text";
    case "number":
      return "must be a number";
    case "boolean":
      return "must be true or false";
    default:
      return undefined;
  }
}

const EXAMPLES: Record<string, string> = {
  environment: "environment: production",
  aws: "aws: { region: ap-southeast-2 }",
  "aws.region": "region: ap-southeast-2",
  loadBalancer: "loadBalancer: { listener: { loadBalancer: bot-alb, port: 443 } }",
  "loadBalancer.listener": "listener: { loadBalancer: bot-alb, port: 443 }",
  colours: "colours: { blue: { targetGroup: bot-blue, hostPort: 5001 }, green: { targetGroup: bot-green, hostPort: 5002 } }",
  "colours.blue": "blue: { targetGroup: bot-blue, hostPort: 5001 }",
  "colours.green": "green: { targetGroup: bot-green, hostPort: 5002 }",
  "colours.blue.targetGroup": "targetGroup: bot-blue",
  "colours.green.targetGroup": "targetGroup: bot-green",
  "colours.blue.hostPort": "hostPort: 5001",
  "colours.green.hostPort": "hostPort: 5002",
  hosts: "hosts: { ec2: { tags: { app: my-bot } } }",
  container: "container: { name: telegram-bot, image: <repository>, port: 5000, memoryLimit: 400m }",
  "container.name": "name: telegram-bot",
  "container.image": "image: 123456789012.dkr.ecr.ap-southeast-2.amazonaws.com/telegram-bot",
  "container.port": "port: 5000",
  "container.memoryLimit": "memoryLimit: 400m",
  telegram: "telegram: { botToken: ${env:TELEGRAM_BOT_TOKEN}, webhook: { url: https://bot.example.com/telegram/{colour} } }",
  "telegram.botToken": "botToken: ${env:TELEGRAM_BOT_TOKEN}",
  "telegram.webhook": "webhook: { url: https://bot.example.com/telegram/{colour} }",
  "telegram.webhook.url": "url: https://bot.example.com/telegram/{colour}",
  "hosts.static[].address": "address: 10.0.1.5",
  "hosts.static[].instanceId": "instanceId: i-0123456789abcdef0",
  "loadBalancer.listener.loadBalancer": "loadBalancer: bot-alb",
  "loadBalancer.listener.port": "port: 443",
};

export function findingsFromIssues(issues: readonly Issue[], raw: unknown, root: z.ZodType): Finding[] {
  const findings: Finding[] = [];
  const visit = (issue: Issue, base: ConfigPath): void => {
    const path = [...base, ...(issue.path as (string | number)[])];
    if (issue.code === "unrecognized_keys") {
      const known = keysAt(root, path);
      for (const key of issue.keys) findings.push({ path: [...path, key], message: unknownKeyMessage(key, known, path) });
      return;
    }
    if (isMissing(raw, path)) {
      const example =
        EXAMPLES[
          path
            .map((s) => (typeof s === "number" ? "[]" : s))
            .join(".")
            .replaceAll(".[]", "[]")
        ];
      findings.push({ path, message: example === undefined ? "is required" : `is required; add it, e.g. ${example}` });
      return;
    }
    if (issue.code === "invalid_union") {
      const branch = issue.errors.find((errors) => !errors.some((e) => e.code === "invalid_type" && e.path.length === 0));
      if (branch !== undefined) for (const inner of branch) visit(inner, path);
      else findings.push({ path, message: issue.errors[0]?.[0]?.message ?? issue.message });
      return;
    }
    if (issue.code === "invalid_key") {
      findings.push({ path, message: `is not a valid key: ${issue.issues[0]?.message ?? issue.message}` });
      return;
    }
    if (issue.code === "invalid_value") {
      const input = valueAt(raw, path);
      const close = typeof input === "string" ? suggestKey(input, issue.values.map(String)) : undefined;
      if (close !== undefined) {
        findings.push({ path, message: `unknown value ${input}; did you mean ${close}?` });
        return;
      }
    }
    findings.push({ path, message: withSecretExample(issue.message, path) });
  };
  for (const issue of issues) visit(issue, []);
  return findings;
}

function unknownKeyMessage(key: string, known: string[], parent: ConfigPath): string {
  const suggestion = suggestKey(key, known);
  if (suggestion !== undefined) return `unknown key; did you mean ${suggestion}?`;
  const where = parent.length === 0 ? "the file" : parent.map(String).join(".");
  return `unknown key; ${where} takes ${known.join(", ")}`;
}

/** container.secrets.API_KEY gets the example ${env:API_KEY}. */
function withSecretExample(message: string, path: ConfigPath): string {
  if (!message.includes(SECRET_EXAMPLE_MARKER)) return message;
  const key = String(path[path.length - 1] ?? "");
  const example = SECRET_REF.test(`\${env:${key}}`) ? `\${env:${key}}` : SECRET_EXAMPLE_MARKER;
  return message.replace(SECRET_EXAMPLE_MARKER, example);
}

function isMissing(raw: unknown, path: ConfigPath): boolean {
  if (path.length === 0) return false;
  const parent = valueAt(raw, path.slice(0, -1));
  if (parent === null || typeof parent !== "object") return false;
  return (parent as Record<string, unknown>)[String(path[path.length - 1])] === undefined;
}

export function valueAt(raw: unknown, path: ConfigPath): unknown {
  let value = raw;
  for (const segment of path) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<string, unknown>)[String(segment)];
  }
  return value;
}
