// What each telegram.mode needs. A webhook bot is reached through the load balancer, so the
// listener, both target groups, the container's port and the webhook are required; a poller needs
// none of them, except the port and host ports when it has a health check to answer.
import type { Finding } from "./schema-issues.js";
import type { Config } from "./types.js";

const COLOURS = ["blue", "green"] as const;

export function modeRules(config: Config): Finding[] {
  return config.telegram.mode === "webhook" ? webhookNeeds(config) : pollingNeeds(config);
}

function webhookNeeds(config: Config): Finding[] {
  const findings: Finding[] = [];
  const why = "(telegram.mode is webhook: Telegram reaches the bot through the load balancer)";
  const orPolling = "or set telegram.mode: polling for a bot that calls getUpdates";
  if (config.loadBalancer === undefined)
    findings.push({
      path: ["loadBalancer"],
      message: `is required ${why}; add loadBalancer: { listener: <ARN or { loadBalancer: <name>, port: 443 }> }, ${orPolling}`,
    });
  if (config.colours === undefined)
    findings.push({ path: ["colours"], message: `is required ${why}; add blue and green, each with targetGroup and hostPort, ${orPolling}` });
  else findings.push(...missingTargetGroups(config, why));
  if (config.container.port === undefined)
    findings.push({ path: ["container", "port"], message: `is required ${why}; give the port the bot listens on inside the container, e.g. port: 5000` });
  if (config.telegram.webhook === undefined)
    findings.push({
      path: ["telegram", "webhook"],
      message: `is required ${why}; add webhook: { url: https://bot.example.com/telegram/{colour} }, ${orPolling}`,
    });
  return findings;
}

function pollingNeeds(config: Config): Finding[] {
  const findings: Finding[] = [];
  if (config.container.health !== undefined) {
    const why = "when container.health is set (the health check calls the container through its host port)";
    if (config.container.port === undefined)
      findings.push({ path: ["container", "port"], message: `is required ${why}; e.g. port: 8080, or remove container.health` });
    if (config.colours === undefined)
      findings.push({
        path: ["colours"],
        message: `is required ${why}; add blue: { hostPort: 5001 } and green: { hostPort: 5002 }, or remove container.health`,
      });
  }
  if (config.loadBalancer !== undefined) {
    const why = "when a polling environment names a load balancer (its target groups are checked and a switch to webhook uses them)";
    if (config.colours === undefined)
      findings.push({ path: ["colours"], message: `is required ${why}; add blue and green with targetGroup and hostPort, or remove loadBalancer` });
    else findings.push(...missingTargetGroups(config, why));
  }
  return findings;
}

function missingTargetGroups(config: Config, why: string): Finding[] {
  return COLOURS.flatMap((colour) =>
    config.colours?.[colour].targetGroup === undefined
      ? [{ path: ["colours", colour, "targetGroup"], message: `is required ${why}; e.g. targetGroup: bot-${colour}` }]
      : [],
  );
}
