// The sample bot's pure parts: its environment, token redaction, and the crash-on-boot text.
import { describe, expect, it } from "vitest";
import { readBotConfig } from "../../examples/echo-bot/config.js";
import { gunicornBootFailure } from "../../examples/echo-bot/crash-on-boot.js";
import { redact } from "../../examples/echo-bot/log.js";

const TOKEN = "123456789:TEST-bot-token-aaaaaaaaaaaaaaaaaaaaaaaaa";

describe("echo-bot config", () => {
  it("has the documented defaults", () => {
    expect(readBotConfig({})).toEqual({
      mode: "webhook",
      healthServer: true,
      port: 5000,
      host: "0.0.0.0",
      variant: "v1",
      token: undefined,
      apiBase: "https://api.telegram.org",
      webhookSecret: undefined,
      webhookUrl: undefined,
      recordFile: undefined,
      timeScale: 1,
    });
  });

  it("reads every variable and trims a trailing slash off the API base", () => {
    expect(
      readBotConfig({
        PORT: "5002",
        HOST: "127.0.1.3",
        BOT_VARIANT: "slow-boot",
        TELEGRAM_BOT_TOKEN: TOKEN,
        TELEGRAM_API_BASE: "http://127.0.0.1:8081/",
        TELEGRAM_WEBHOOK_SECRET: "s",
        WEBHOOK_URL: "http://127.0.0.1:8443/telegram/green",
        BOT_RECORD_FILE: "/tmp/r.ndjson",
        BOT_TIME_SCALE: "0.01",
      }),
    ).toEqual({
      mode: "webhook",
      healthServer: true,
      port: 5002,
      host: "127.0.1.3",
      variant: "slow-boot",
      token: TOKEN,
      apiBase: "http://127.0.0.1:8081",
      webhookSecret: "s",
      webhookUrl: "http://127.0.0.1:8443/telegram/green",
      recordFile: "/tmp/r.ndjson",
      timeScale: 0.01,
    });
  });

  it.each([
    [{ BOT_VARIANT: "v4" }, 'unknown BOT_VARIANT "v4"'],
    [{ PORT: "http" }, 'PORT must be an integer 1..65535, got "http"'],
    [{ BOT_TIME_SCALE: "-1" }, 'BOT_TIME_SCALE must be a number >= 0, got "-1"'],
    [{ BOT_MODE: "push" }, 'BOT_MODE must be webhook or polling, got "push"'],
  ])("rejects %j", (env, message) => {
    expect(() => readBotConfig(env)).toThrow(message);
  });

  it("polls for BOT_MODE=polling and for every polling-* variant; /health only when asked", () => {
    expect(readBotConfig({ BOT_MODE: "polling" })).toMatchObject({ mode: "polling", healthServer: false, variant: "v1" });
    expect(readBotConfig({ BOT_MODE: "polling", BOT_HEALTH_SERVER: "1" })).toMatchObject({ mode: "polling", healthServer: true });
    // The image decides, as a run_polling() bot ignores what the environment says.
    expect(readBotConfig({ BOT_MODE: "webhook", BOT_VARIANT: "polling-v2" })).toMatchObject({ mode: "polling", variant: "polling-v2" });
    expect(readBotConfig({ BOT_VARIANT: "polling-crash-on-boot" })).toMatchObject({ mode: "polling" });
  });
});

describe("redact", () => {
  it("hides the token in URL paths and anywhere else", () => {
    expect(redact(`POST https://api.telegram.org/bot${TOKEN}/sendMessage failed`)).toBe("POST https://api.telegram.org/bot<redacted>/sendMessage failed");
    expect(redact(`token is ${TOKEN}.`)).toBe("token is <redacted>.");
    expect(redact("weird-token here", "weird-token")).toBe("<redacted> here");
  });
});

describe("crash-on-boot", () => {
  it("prints gunicorn's worker boot failure", () => {
    const lines = gunicornBootFailure(41);
    expect(lines[0]).toMatch(/^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+0000\] \[41\] \[INFO\] Starting gunicorn 22\.0\.0$/);
    expect(lines).toContain("ModuleNotFoundError: No module named 'main_webhook'");
    expect(lines).toContain("Failed to find attribute 'create_app' in 'main_webhook'.");
    expect(lines[lines.length - 1]).toMatch(/\[41\] \[ERROR\] Reason: Worker failed to boot\.$/);
    expect(lines.some((l) => l.includes("[42] [INFO] Booting worker with pid: 42"))).toBe(true);
  });
});
