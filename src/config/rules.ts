// All cross-field rules, run after the schema accepted the file and secrets were resolved.
import { basename } from "node:path";
import { modeRules } from "./rules-mode.js";
import { containerEnvRules, environmentNameRule, gateRules, hostPathRules } from "./rules-runtime.js";
import { colourRules, hostRules, regionRules, sshRules } from "./rules-slots.js";
import { allowedUpdatesRules, strategyUrlRules, telegramSecretRules, webhookUrlRules } from "./rules-telegram.js";
import type { Finding } from "./schema-issues.js";
import type { Config } from "./types.js";

export interface RuleContext {
  file: string;
  /** Set when the file was loaded by environment name: `environment:` must equal it. */
  expectedName?: string | undefined;
  /** Secret fields whose variable was missing; value checks skip them. */
  unresolved: ReadonlySet<string>;
}

export function checkRules(config: Config, context: RuleContext): Finding[] {
  return [
    ...environmentNameRule(config, context.expectedName, basename(context.file)),
    ...modeRules(config),
    ...colourRules(config),
    ...regionRules(config),
    ...hostRules(config),
    ...sshRules(config, context.unresolved),
    ...containerEnvRules(config),
    ...hostPathRules(config),
    ...webhookUrlRules(config),
    ...telegramSecretRules(config, context.unresolved),
    ...allowedUpdatesRules(config),
    ...gateRules(config),
    ...strategyUrlRules(config),
  ];
}
