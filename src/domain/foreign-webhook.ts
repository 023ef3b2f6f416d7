// A polling run deletes the bot's webhook (getUpdates answers 409 while one is set). A webhook that
// is not this environment's own (none of its telegram.webhook URLs) serves something else: another
// environment on the same bot token, or the unmanaged deployment bluegreen never adopted. Deleting
// it would take that down with no record to restore it from, so the run refuses before anything
// moves (webhook mode adopts and records what serves instead; polling has nothing to adopt).
import type { Colour } from "./types.js";

/** The webhook URL a polling run found that is not its own; null when none is set or it is ours. */
export function foreignWebhook(found: string, own: Record<Colour, string>): string | null {
  if (found === "") return null;
  return found === own.blue || found === own.green ? null : found;
}
