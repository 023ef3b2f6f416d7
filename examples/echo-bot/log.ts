// Line-oriented logs on stdout (info) and stderr (warnings, errors), as a container would write them.

// Telegram puts the token in the URL path (`/bot<token>/method`): scrub anything shaped like it.
const TOKEN_IN_PATH = /bot\d+:[A-Za-z0-9_-]+/g;
const BARE_TOKEN = /\b\d{5,}:[A-Za-z0-9_-]{20,}\b/g;

export function redact(text: string, token?: string): string {
  let out = text;
  if (token) out = out.split(token).join("<redacted>");
  return out.replace(TOKEN_IN_PATH, "bot<redacted>").replace(BARE_TOKEN, "<redacted>");
}

export function logInfo(message: string): void {
  process.stdout.write(`${new Date().toISOString()} INFO ${redact(message)}\n`);
}

export function logError(message: string): void {
  process.stderr.write(`${new Date().toISOString()} ERROR ${redact(message)}\n`);
}
