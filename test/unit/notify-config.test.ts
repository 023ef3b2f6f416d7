// The notify and hooks sections: absent by default, resolved secrets (the Telegram sender defaults
// to the released bot's token), and exact errors for the mistakes people make.
import { describe, expect, it } from "vitest";
import { loadEnvironmentText } from "../../src/config/load.js";
import { minimalEnvironmentYaml } from "../fixtures/minimal-environment.js";

const TOKEN = "123456789:TEST-bot-token-aaaaaaaaaaaaaaaaaaaaaaaaa";
const OPS = "987654321:TEST-bot-token-opsaaaaaaaaaaaaaaaaaaaaa";
const FILE = "/srv/bot/environments/prod.yaml";
const ENV = { TELEGRAM_BOT_TOKEN: TOKEN, OPS_TOKEN: OPS, HOOK_SECRET: "TEST-notify-secret" };

const BASE = minimalEnvironmentYaml({ environment: "prod" });

function load(extra: string) {
  return loadEnvironmentText(BASE + extra, FILE, ENV);
}

describe("notify and hooks in the environment file", () => {
  it("are absent when the file has no such section", () => {
    const r = load("");
    expect(r.ok && r.config.notify).toBeUndefined();
    expect(r.ok && r.config.hooks).toBeUndefined();
  });

  it("resolve secrets and defaults", () => {
    const r = load(`notify:
  telegram: { chatId: -1001234567890 }
  webhook: { url: https://hooks.example.com/bluegreen, secretHeader: "\${env:HOOK_SECRET}" }
hooks:
  preRelease: [./scripts/backup.sh, --quick]
  postRollback: [./scripts/page.sh]
`);
    if (!r.ok) throw new Error(r.errors.join("\n"));
    expect(r.config.notify).toEqual({
      telegram: { chatId: -1001234567890, botToken: TOKEN },
      webhook: { url: "https://hooks.example.com/bluegreen", secretHeader: "TEST-notify-secret" },
    });
    expect(r.config.hooks).toEqual({ preRelease: ["./scripts/backup.sh", "--quick"], postRollback: ["./scripts/page.sh"], timeout: 300_000 });
    expect(r.secrets).toEqual([TOKEN, "TEST-notify-secret"]);
    expect(r.config.secretRefs["notify.webhook.secretHeader"]).toBe("HOOK_SECRET");
  });

  it("uses notify's own bot token when given", () => {
    const r = load(`notify:\n  telegram: { chatId: "@ops_channel", botToken: "\${env:OPS_TOKEN}" }\nhooks: { timeout: 30s }\n`);
    if (!r.ok) throw new Error(r.errors.join("\n"));
    expect(r.config.notify?.telegram).toEqual({ chatId: "@ops_channel", botToken: OPS });
    expect(r.config.hooks).toEqual({ timeout: 30_000 });
    expect(r.secrets).toEqual([TOKEN, OPS]);
  });

  it("rejects the usual mistakes with exact messages", () => {
    const r = load(`notify:
  telegram: { chatId: ops, botToken: ${OPS} }
  webhook: { url: http://hooks.example.com/x, secret: x }
hooks:
  preRelease: ./backup.sh
  postCutover: []
  timeout: soon
`);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toEqual([
      `notify.telegram.chatId: must be a chat id (a whole number) or a channel username like @ops_channel (${FILE}:13:15)`,
      `notify.telegram.botToken: must be a reference like \${env:NOTIFY_BOT_TOKEN}; never write a secret in the file (${FILE}:13:28)`,
      `notify.webhook.url: must be an https:// URL (http:// only on 127.0.0.1/localhost, for tests) (${FILE}:14:14)`,
      `notify.webhook.secret: unknown key; notify.webhook takes url, secretHeader (${FILE}:14:47)`,
      `hooks.preRelease: must be a list of words (the command and its arguments), like [./backup.sh, --quick] (${FILE}:16:3)`,
      `hooks.postCutover: must name a command: a list like [./backup.sh, --quick] (${FILE}:17:3)`,
      `hooks.timeout: must be a duration like 500ms, 30s, 5m or 1h30m (${FILE}:18:3)`,
    ]);
  });
});
