// URL helpers shared by the rules and the rest of the tool.
import type { Colour, Config } from "./types.js";

/** The webhook URL for one colour: {colour} filled in (the same URL for both when it is absent; "" without a webhook). */
export function webhookUrlFor(config: Config, colour: Colour): string {
  return (config.telegram.webhook?.url ?? "").replaceAll("{colour}", colour);
}

/** True for http(s) URLs on 127.0.0.0/8, localhost or ::1: the sandbox's emulators. */
export function isLoopbackUrl(text: string): boolean {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return false;
  }
  const host = url.hostname;
  return host === "localhost" || host === "[::1]" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
