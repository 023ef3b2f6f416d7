// allowed_updates: the update types a bot receives. Omitted keeps the previous value, an empty
// list (or one naming no known type) resets to the default set: every type except chat_member,
// message_reaction and message_reaction_count, which must be asked for by name.
import { UPDATE_TYPES } from "../../telegram/update-types.js";
import { badRequest } from "./envelope.js";

export const ALL_UPDATE_TYPES = UPDATE_TYPES;

const OPT_IN_ONLY = new Set<string>(["chat_member", "message_reaction", "message_reaction_count"]);

export const DEFAULT_UPDATE_TYPES: readonly string[] = ALL_UPDATE_TYPES.filter((t) => !OPT_IN_ONLY.has(t));

/** null = the default set (getWebhookInfo then omits allowed_updates). */
export type AllowedUpdates = readonly string[] | null;

/**
 * Parses the allowed_updates argument. Returns undefined when the argument is absent or not JSON
 * (keep the previous value: the real server only logs text it cannot parse), null for the default
 * set, else the known types in canonical order.
 */
export function parseAllowedUpdates(raw: string | undefined): AllowedUpdates | undefined {
  if (raw === undefined || raw.trim() === "") return undefined;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) {
    throw badRequest("Expected an Array of String as allowed_updates");
  }
  const asked = new Set((value as string[]).map((v) => v.trim().toLowerCase()));
  const chosen = ALL_UPDATE_TYPES.filter((t) => asked.has(t));
  if (chosen.length === 0) return null;
  const isDefault = chosen.length === DEFAULT_UPDATE_TYPES.length && chosen.every((t, i) => t === DEFAULT_UPDATE_TYPES[i]);
  return isDefault ? null : chosen;
}

export function isAllowed(allowed: AllowedUpdates, type: string): boolean {
  return allowed === null ? DEFAULT_UPDATE_TYPES.includes(type) : allowed.includes(type);
}
