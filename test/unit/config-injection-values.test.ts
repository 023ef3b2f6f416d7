// Issue #18 case 8: values that pass validate today and fail only after a release took the lock,
// wrote tags and pulled: an env or secret value with a newline or NUL, and a webhook URL with
// credentials or a fragment. validate now names them (exit 64 before anything runs).
import { describe, expect, it } from "vitest";
import { loadEnvironmentText } from "../../src/config/load.js";
import { minimalEnvironmentYaml } from "../fixtures/minimal-environment.js";

const TOKEN = "123456789:TEST-bot-token-aaaaaaaaaaaaaaaaaaaaaaaaa";

function errorsOf(yaml: string, env: Record<string, string> = {}): string[] {
  const r = loadEnvironmentText(yaml, "/srv/environments/production.yaml", { TELEGRAM_BOT_TOKEN: TOKEN, ...env });
  return r.ok ? [] : r.errors;
}

describe("values docker's env file or Telegram cannot carry safely", () => {
  it("an env value with a newline", () => {
    const yaml = minimalEnvironmentYaml().replace("memoryLimit: 400m }", 'memoryLimit: 400m, env: { GREETING: "hi\\nEVIL=1" } }');
    expect(errorsOf(yaml).join("\n")).toMatch(/container\.env\.GREETING: contains a newline or NUL/);
  });

  it("a secret value with a NUL", () => {
    const yaml = minimalEnvironmentYaml().replace("memoryLimit: 400m }", 'memoryLimit: 400m, secrets: { API_KEY: "${env:API_KEY}" } }');
    expect(errorsOf(yaml, { API_KEY: "abc\u0000def" }).join("\n")).toMatch(/container\.secrets\.API_KEY: contains a newline or NUL/);
  });

  it("a webhook URL with user:password@", () => {
    const errors = errorsOf(minimalEnvironmentYaml({ webhookUrl: "https://user:pa55@bot.example.com/telegram/{colour}" })).join("\n");
    expect(errors).toMatch(/telegram\.webhook\.url: contains credentials/);
    expect(errors).not.toContain("pa55");
  });

  it("a webhook URL with a #fragment", () => {
    expect(errorsOf(minimalEnvironmentYaml({ webhookUrl: "https://bot.example.com/telegram/{colour}#x" })).join("\n")).toMatch(
      /telegram\.webhook\.url: has a #fragment/,
    );
  });

  it("the plain file stays valid", () => {
    expect(errorsOf(minimalEnvironmentYaml())).toEqual([]);
  });
});
