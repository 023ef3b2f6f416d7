// Rules Telegram itself enforces (so a bad value fails in `validate`, not halfway through a
// release, when setWebhook has already closed the old webhook) plus the {colour} placeholder.
// Secret values are checked here but never appear in a message.
import type { Finding } from "./schema-issues.js";
import type { Config } from "./types.js";
import { isLoopbackUrl } from "./urls.js";

const WEBHOOK_PORTS = ["443", "80", "88", "8443"];
const SECRET_TOKEN = /^[A-Za-z0-9_-]*$/;
const BOT_TOKEN = /^\d+:[A-Za-z0-9_-]+$/;
const URL_PATH = ["telegram", "webhook", "url"];

export function webhookUrlRules(config: Config): Finding[] {
  const findings: Finding[] = [];
  if (config.telegram.webhook === undefined) return findings;
  const { url, certificate } = config.telegram.webhook;
  for (const placeholder of url.match(/\{[^}]*\}/g) ?? []) {
    if (placeholder !== "{colour}") findings.push({ path: URL_PATH, message: `unknown placeholder ${placeholder}; the only placeholder is {colour}` });
  }
  const blue = new URL(url.replaceAll("{colour}", "blue"));
  const green = new URL(url.replaceAll("{colour}", "green"));
  const sandbox = isLoopbackUrl(config.telegram.apiBase);
  if (!sandbox && blue.protocol !== "https:")
    findings.push({
      path: URL_PATH,
      message: "Telegram only delivers webhooks over https; use an https:// URL (http works only against a local emulator, with telegram.apiBase on 127.0.0.1)",
    });
  else if (!sandbox && !WEBHOOK_PORTS.includes(blue.port === "" ? "443" : blue.port))
    findings.push({
      path: URL_PATH,
      message: `Telegram only delivers webhooks to ports 443, 80, 88 or 8443, not ${blue.port}; serve the webhook on one of those ports`,
    });
  if (url.includes("{colour}") && endpoint(blue) === endpoint(green))
    findings.push({
      path: URL_PATH,
      message:
        "the blue and green URLs reach the same endpoint ({colour} is only in a part that does not route requests); put {colour} in the path, e.g. https://bot.example.com/telegram/{colour}",
    });
  // Credentials in the URL would be printed by plan, the step lines and status, and stored at Telegram.
  if (blue.username !== "" || blue.password !== "")
    findings.push({
      path: URL_PATH,
      message: "contains credentials (user:password@); Telegram's calls are authenticated with telegram.webhook.secretToken, remove them",
    });
  if (blue.hash !== "" || url.includes("#")) findings.push({ path: URL_PATH, message: "has a #fragment, which is never sent to the server; remove it" });
  const token = config.telegram.botToken;
  if (token !== "" && url.includes(token))
    findings.push({
      path: URL_PATH,
      message: "contains the bot token; authenticate Telegram's calls with telegram.webhook.secretToken instead",
    });
  if (certificate !== undefined && blue.protocol !== "https:")
    findings.push({
      path: ["telegram", "webhook", "certificate"],
      message: "a certificate is only used with an https:// webhook URL; remove it or use https",
    });
  return findings;
}

/** What decides where a request goes: scheme, host, port, path and query (not user info or #fragment). */
function endpoint(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}${url.search}`;
}

export function telegramSecretRules(config: Config, unresolved: ReadonlySet<string>): Finding[] {
  const findings: Finding[] = [];
  const { botToken, webhook } = config.telegram;
  const tokenVariable = config.secretRefs["telegram.botToken"];
  if (!unresolved.has("telegram.botToken") && !BOT_TOKEN.test(botToken))
    findings.push({
      path: ["telegram", "botToken"],
      message: `the value of ${tokenVariable} does not look like a bot token (<digits>:<letters, digits, _ or ->, as BotFather gives it); check the variable for quotes or spaces`,
    });
  const secret = webhook?.secretToken;
  const secretVariable = config.secretRefs["telegram.webhook.secretToken"];
  if (secret !== undefined && !unresolved.has("telegram.webhook.secretToken")) {
    const path = ["telegram", "webhook", "secretToken"];
    if (secret.length > 256)
      findings.push({
        path,
        message: `the value of ${secretVariable} is ${secret.length} characters long; Telegram allows at most 256`,
      });
    if (!SECRET_TOKEN.test(secret))
      findings.push({
        path,
        message: `the value of ${secretVariable} contains characters Telegram does not allow; use only A-Z, a-z, 0-9, _ and -`,
      });
  }
  return findings;
}

export function allowedUpdatesRules(config: Config): Finding[] {
  const types = config.telegram.webhook?.allowedUpdates ?? [];
  return types.flatMap((type, index) =>
    types.indexOf(type) < index ? [{ path: ["telegram", "webhook", "allowedUpdates", index], message: `${type} is listed twice` }] : [],
  );
}

/**
 * Canary and linear shifts split Telegram's deliveries at the ALB by weight, so Telegram must send
 * every update to one URL that reaches both colours: a {colour} URL sends all of them to one colour.
 */
export function strategyUrlRules(config: Config): Finding[] {
  const kind = config.rollout.strategy.kind;
  const webhook = config.telegram.webhook;
  if (kind === "all-at-once") return [];
  if (webhook === undefined) {
    return [
      {
        path: ["rollout", "strategy"],
        message: `a ${kind} shift splits webhook deliveries at the load balancer; a polling bot has none to split: use rollout.strategy: all-at-once`,
      },
    ];
  }
  if (!webhook.url.includes("{colour}")) return [];
  return [
    {
      path: ["rollout", "strategy"],
      message: `a ${kind} shift splits Telegram's deliveries between the colours at the load balancer by weight, but telegram.webhook.url has {colour}, so Telegram would send every update to one colour; use one URL for both colours (e.g. ${webhook.url.replaceAll("/{colour}", "").replaceAll("{colour}", "bot")}) or rollout.strategy: all-at-once`,
    },
  ];
}
