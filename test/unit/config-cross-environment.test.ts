// The two-file rules: which file an error is reported against, and when names are only equal by
// coincidence (another account or an emulator).
import { describe, expect, it } from "vitest";
import { type Config, crossEnvironmentErrors, loadEnvironmentText } from "../../src/config/index.js";
import { BASE_ENV, BASE_YAML, variant } from "../fixtures/broken-configs.js";

function load(yaml: string, file: string, env: Record<string, string> = BASE_ENV): { config: Config; file: string } {
  const result = loadEnvironmentText(yaml, file, env);
  if (!result.ok) throw new Error(result.errors.join("\n"));
  return result;
}

const PROTECTED_PRODUCTION = variant(["environment: production\n", "environment: production\nprotected: true\n"]);
const SHARED_TOKEN_STAGING = variant(
  ["environment: production", "environment: staging"],
  ["bot-alb", "bot-staging-alb"],
  ["bot-blue", "staging-blue"],
  ["bot-green", "staging-green"],
  ["https://bot.", "https://staging."],
);

describe("crossEnvironmentErrors", () => {
  it("reports against the unprotected environment, whichever argument it is", () => {
    const production = load(PROTECTED_PRODUCTION, "environments/production.yaml");
    const staging = load(SHARED_TOKEN_STAGING, "environments/staging.yaml");
    const expected = [
      "telegram.botToken: uses ${env:TELEGRAM_BOT_TOKEN}, the same bot token as production (environments/production.yaml); give staging its own bot and token variable (environments/staging.yaml:28:3)",
    ];
    expect(crossEnvironmentErrors(production, staging)).toEqual(expected);
    expect(crossEnvironmentErrors(staging, production)).toEqual(expected);
  });

  it("reports against the second file when neither is protected", () => {
    const a = load(BASE_YAML, "environments/production.yaml");
    const b = load(SHARED_TOKEN_STAGING, "environments/staging.yaml");
    expect(crossEnvironmentErrors(b, a)).toEqual([
      "telegram.botToken: uses ${env:TELEGRAM_BOT_TOKEN}, the same bot token as staging (environments/staging.yaml); give production its own bot and token variable (environments/production.yaml:28:3)",
    ]);
  });

  it("treats equal names in another account scope (profile, region or endpoint) as different resources", () => {
    const production = load(BASE_YAML, "environments/production.yaml");
    const otherAccount = load(
      variant(
        ["environment: production", "environment: staging"],
        ["  region: ap-southeast-2\n", "  region: ap-southeast-2\n  profile: staging-account\n"],
        ["${env:TELEGRAM_BOT_TOKEN}", "${env:STAGING_TOKEN}"],
        ["${env:TELEGRAM_BOT_TOKEN}", "${env:STAGING_TOKEN}"],
        ["https://bot.", "https://staging."],
      ),
      "environments/staging.yaml",
      { ...BASE_ENV, STAGING_TOKEN: "987654321:TEST-staging-token-fffffffffffffffff" },
    );
    expect(crossEnvironmentErrors(production, otherAccount)).toEqual([]);
  });

  it("falls back to the file name for configs it did not load", () => {
    const production = load(BASE_YAML, "environments/production.yaml");
    const staging = load(SHARED_TOKEN_STAGING, "environments/staging.yaml");
    expect(crossEnvironmentErrors(production, { config: { ...staging.config }, file: "staging.yaml" })).toEqual([
      "telegram.botToken: uses ${env:TELEGRAM_BOT_TOKEN}, the same bot token as production (environments/production.yaml); give staging its own bot and token variable (staging.yaml)",
    ]);
  });
});
