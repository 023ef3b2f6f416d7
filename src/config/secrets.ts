// Secrets enter a config only as "${env:NAME}" in a few known fields, and only their values leave
// the loader (plus the list of values, so the CLI can redact them from every output line).
// Messages here name the variable, never its value.
import type { ConfigPath } from "./positions.js";
import type { Finding } from "./schema-issues.js";

export const SECRET_FIELDS = "telegram.botToken, telegram.webhook.secretToken, container.secrets.*, hosts.ssh.privateKey";

export function isSecretField(path: ConfigPath): boolean {
  const dotted = path.map(String).join(".");
  return (
    dotted === "telegram.botToken" ||
    dotted === "telegram.webhook.secretToken" ||
    dotted === "hosts.ssh.privateKey" ||
    dotted === "notify.telegram.botToken" ||
    dotted === "notify.webhook.secretHeader" ||
    (path.length === 3 && path[0] === "container" && path[1] === "secrets")
  );
}

/** "${env:...}" anywhere but a secret field is a mistake: it would be used literally. */
export function referencesOutsideSecretFields(raw: unknown): Finding[] {
  const findings: Finding[] = [];
  const walk = (value: unknown, path: (string | number)[]): void => {
    if (typeof value === "string") {
      if (!value.includes("${env:") || isSecretField(path)) return;
      const isContainerEnv = path.length === 3 && path[0] === "container" && path[1] === "env";
      findings.push({
        path,
        message: isContainerEnv
          ? `\${env:} references are only for secrets; move ${String(path[2])} to container.secrets`
          : `\${env:} references are only allowed in secret fields (${SECRET_FIELDS}); write the value itself`,
      });
    } else if (Array.isArray(value)) {
      for (const [index, item] of value.entries()) walk(item, [...path, index]);
    } else if (value !== null && typeof value === "object") {
      for (const [key, item] of Object.entries(value)) walk(item, [...path, key]);
    }
  };
  walk(raw, []);
  return findings;
}

export type Env = Readonly<Record<string, string | undefined>>;

export type Resolution = { ok: true; value: string; name: string } | { ok: false; finding: Finding };

/** "${env:NAME}" -> the variable's value, or a finding that says how to provide it. */
export function resolveReference(reference: string, path: ConfigPath, env: Env): Resolution {
  const name = /^\$\{env:([A-Z_][A-Z0-9_]*)\}$/.exec(reference)?.[1];
  if (name === undefined) return { ok: false, finding: { path, message: "must be a reference like ${env:NAME}" } };
  const value = env[name];
  if (value === undefined)
    return {
      ok: false,
      finding: { path, message: `environment variable ${name} is not set (export it, or set it in your CI secrets)` },
    };
  if (value === "")
    return {
      ok: false,
      finding: { path, message: `environment variable ${name} is empty (export it with a value, or set it in your CI secrets)` },
    };
  return { ok: true, value, name };
}
