// Secrets never reach output: every line the CLI prints, every event and every error message goes
// through redact(). Bot tokens are also recognised by shape, since they sit in every Telegram URL.
const known = new Set<string>();

export function registerSecret(value: string | undefined): void {
  // Any length: Telegram accepts a 1-character webhook secret, and a short secret is still a secret.
  if (value === undefined || value === "") return;
  known.add(value);
  // A bot token's half after the colon is the secret part; printed alone (a hook, a bot's log) it must go too.
  const half = /^\d+:(.+)$/.exec(value)?.[1];
  if (half !== undefined) known.add(half);
}

const TOKEN_IN_PATH = /\/bot\d+:[A-Za-z0-9_-]+/g;
const TOKEN = /\b\d{5,}:[A-Za-z0-9_-]{30,}\b/g;

export function redact(text: string): string {
  let out = text.replace(TOKEN_IN_PATH, "/bot<redacted>").replace(TOKEN, "<redacted>");
  // Longest first, so a secret that contains another is removed whole.
  for (const s of [...known].sort((a, b) => b.length - a.length)) out = out.split(s).join("<redacted>");
  return out;
}

export function clearSecrets(): void {
  known.clear();
}
