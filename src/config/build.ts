// From the schema's output to the Config the rest of the tool uses: secrets resolved from the
// environment, file paths made absolute relative to the YAML file, derived defaults filled in.
import { homedir } from "node:os";
import { dirname, resolve } from "node:path";
import { DEFAULT_HEALTH, type ParsedEnvironment } from "./schema.js";
import type { Finding } from "./schema-issues.js";
import { type Env, resolveReference } from "./secrets.js";
import type { Config, NotifyConfig, RolloutStrategy, WebhookConfig } from "./types.js";

export interface Built {
  config: Config;
  /** Resolved secret values, each once, for redaction. */
  secrets: string[];
  findings: Finding[];
  /** Dotted paths of secret fields that could not be resolved (their value is ""). */
  unresolved: Set<string>;
}

export function buildConfig(parsed: ParsedEnvironment, file: string, env: Env): Built {
  const baseDir = dirname(resolve(file));
  const fromFile = (path: string): string => resolve(baseDir, expandHome(path));
  const findings: Finding[] = [];
  const unresolved = new Set<string>();
  const secretRefs: Record<string, string> = {};
  const secrets: string[] = [];

  const secret = (reference: string, path: string[]): string => {
    const result = resolveReference(reference, path, env);
    if (!result.ok) {
      findings.push(result.finding);
      unresolved.add(path.join("."));
      return "";
    }
    secretRefs[path.join(".")] = result.name;
    if (!secrets.includes(result.value)) secrets.push(result.value);
    return result.value;
  };

  const botToken = secret(parsed.telegram.botToken, ["telegram", "botToken"]);
  const parsedWebhook = parsed.telegram.webhook;
  const secretTokenRef = parsedWebhook?.secretToken;
  const secretToken = secretTokenRef === undefined ? undefined : secret(secretTokenRef, ["telegram", "webhook", "secretToken"]);
  const containerSecrets: Record<string, string> = {};
  for (const [name, reference] of Object.entries(parsed.container.secrets)) containerSecrets[name] = secret(reference, ["container", "secrets", name]);

  const notify = buildNotify(parsed.notify, botToken, secret);

  const { privateKey: keySetting, knownHosts, ...ssh } = parsed.hosts.ssh;
  let privateKey: string | undefined;
  if (keySetting?.startsWith("${env:")) {
    // The variable holds a path: a path is not a secret, so it stays out of `secrets`.
    const result = resolveReference(keySetting, ["hosts", "ssh", "privateKey"], env);
    if (!result.ok) {
      findings.push(result.finding);
      unresolved.add("hosts.ssh.privateKey");
    } else if (result.value.includes("-----BEGIN")) {
      unresolved.add("hosts.ssh.privateKey");
      findings.push({
        path: ["hosts", "ssh", "privateKey"],
        message: `environment variable ${result.name} holds a key, not a path; write the key to a file (chmod 600) and put the file's path in ${result.name}`,
      });
    } else {
      secretRefs["hosts.ssh.privateKey"] = result.name;
      privateKey = resolve(expandHome(result.value));
    }
  } else if (keySetting !== undefined) {
    privateKey = fromFile(keySetting);
  }

  // With transport: local the "host" is this machine: a relative envFileDir or lock.dir is taken from
  // the YAML's folder, as the referenced files are, so every caller (any current folder, --config-dir)
  // shares one lock and one history. Over SSH they must be absolute (hostPathRules); absolute paths
  // are kept as written.
  const onThisMachine = parsed.hosts.ssh.transport === "local";
  const hostDir = (path: string): string => (onThisMachine && !path.startsWith("/") ? fromFile(path) : path);

  const { notify: _notify, hooks, ...rest } = parsed;
  const config: Config = {
    ...rest,
    ...(notify === undefined ? {} : { notify }),
    ...(hooks === undefined ? {} : { hooks }),
    hosts: {
      ...parsed.hosts,
      ssh: {
        ...ssh,
        ...(privateKey === undefined ? {} : { privateKey }),
        ...(knownHosts === undefined ? {} : { knownHosts: fromFile(knownHosts) }),
      },
    },
    container: {
      ...parsed.container,
      secrets: containerSecrets,
      envFileDir: hostDir(parsed.container.envFileDir),
      // A webhook bot always has an HTTP server to check; a poller has one only when the file says so.
      health: parsed.container.health ?? (parsed.telegram.mode === "webhook" ? DEFAULT_HEALTH : undefined),
    },
    telegram: {
      ...parsed.telegram,
      botToken,
      webhook: parsedWebhook === undefined ? undefined : webhookConfig(parsedWebhook, secretToken, fromFile),
    },
    gates: {
      ...parsed.gates,
      maxMemory: parsed.gates.maxMemory ?? parsed.container.memoryLimit,
      smokeUpdates: parsed.gates.smokeUpdates.map(fromFile),
    },
    rollout: { ...parsed.rollout, strategy: normalizeStrategy(parsed.rollout.strategy) },
    lock: { ...parsed.lock, dir: hostDir(parsed.lock.dir) },
    secretRefs,
  };
  return { config, secrets, findings, unresolved };
}

function webhookConfig(
  parsed: NonNullable<ParsedEnvironment["telegram"]["webhook"]>,
  secretToken: string | undefined,
  fromFile: (path: string) => string,
): WebhookConfig {
  const { secretToken: _ref, certificate, ...webhook } = parsed;
  return {
    ...webhook,
    ...(secretToken === undefined ? {} : { secretToken }),
    ...(certificate === undefined ? {} : { certificate: fromFile(certificate) }),
  };
}

/** The strategy's shorthand names get their documented defaults (canary 10% for 5m, linear +25% every 2m). */
function normalizeStrategy(s: ParsedEnvironment["rollout"]["strategy"]): RolloutStrategy {
  if (s === "all-at-once") return { kind: "all-at-once" };
  if (s === "canary") return { kind: "canary", percent: 10, hold: 5 * 60_000 };
  if (s === "linear") return { kind: "linear", step: 25, interval: 2 * 60_000 };
  if ("canary" in s) return { kind: "canary", percent: s.canary.percent, hold: s.canary.hold };
  return { kind: "linear", step: s.linear.step, interval: s.linear.interval };
}

/** notify with its secrets resolved; the Telegram sender defaults to the released bot's own token. */
function buildNotify(parsed: ParsedEnvironment["notify"], botToken: string, secret: (reference: string, path: string[]) => string): NotifyConfig | undefined {
  if (parsed === undefined) return undefined;
  const notify: NotifyConfig = {};
  if (parsed.telegram !== undefined) {
    const { chatId, botToken: tokenRef } = parsed.telegram;
    notify.telegram = { chatId, botToken: tokenRef === undefined ? botToken : secret(tokenRef, ["notify", "telegram", "botToken"]) };
  }
  if (parsed.webhook !== undefined) {
    const { url, secretHeader } = parsed.webhook;
    notify.webhook = { url, ...(secretHeader === undefined ? {} : { secretHeader: secret(secretHeader, ["notify", "webhook", "secretHeader"]) }) };
  }
  return notify;
}

function expandHome(path: string): string {
  if (path === "~") return homedir();
  if (path.startsWith("~/")) return resolve(homedir(), path.slice(2));
  return path;
}
