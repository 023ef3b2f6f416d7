// redact(): bot tokens by shape (in URL paths and alone) and every registered secret, longest first.
import { afterEach, describe, expect, it } from "vitest";
import { clearSecrets, redact, registerSecret } from "../../src/util/redact.js";

const TOKEN = "123456789:TEST-bot-token-aaaaaaaaaaaaaaaaaaaaaaaaa";
const SECRET = "TEST-webhook-secret-bbbbbbbbbbbbbbbb";

afterEach(() => clearSecrets());

describe("redact", () => {
  it.each<[string, string, string]>([
    [
      "token in a Telegram URL path",
      `POST https://api.telegram.org/bot${TOKEN}/setWebhook failed`,
      "POST https://api.telegram.org/bot<redacted>/setWebhook failed",
    ],
    ["token in a loopback URL path", `http://127.0.0.1:8081/bot${TOKEN}/getMe`, "http://127.0.0.1:8081/bot<redacted>/getMe"],
    ["short token in a path (shape only needs digits:word)", "/bot1:abc/getMe", "/bot<redacted>/getMe"],
    ["bare token", `token is ${TOKEN}.`, "token is <redacted>."],
    ["token in JSON", JSON.stringify({ botToken: TOKEN }), '{"botToken":"<redacted>"}'],
    ["two tokens", `${TOKEN} and ${TOKEN}`, "<redacted> and <redacted>"],
    ["ordinary text stays", "release r20260101T000000Z-abcd to green: 5001:5000", "release r20260101T000000Z-abcd to green: 5001:5000"],
    ["a short digits:word pair stays", "12345:abc", "12345:abc"],
    ["a time stays", "12:30:45", "12:30:45"],
    ["empty", "", ""],
  ])("%s", (_n, input, want) => {
    expect(redact(input)).toBe(want);
  });

  it("removes a registered secret wherever it appears", () => {
    registerSecret(SECRET);
    expect(redact(`secret_token=${SECRET}&x=${SECRET}`)).toBe("secret_token=<redacted>&x=<redacted>");
    expect(redact(JSON.stringify({ s: SECRET }))).toBe('{"s":"<redacted>"}');
  });

  it("removes a configured secret of any length (#18 case 9: Telegram allows a 1-256 character webhook secret)", () => {
    registerSecret(undefined);
    registerSecret("");
    expect(redact("abcde x")).toBe("abcde x");
    registerSecret("abcde");
    expect(redact("secret_token=abcde x")).toBe("secret_token=<redacted> x");
    registerSecret("Q");
    expect(redact("Q")).toBe("<redacted>");
  });

  it("removes the token's secret half printed alone (#18 case 9)", () => {
    registerSecret(TOKEN);
    const half = TOKEN.split(":")[1] as string;
    expect(redact(`bot log: auth ${half} failed`)).toBe("bot log: auth <redacted> failed");
    expect(redact(JSON.stringify({ line: `x${half}y` }))).toBe('{"line":"x<redacted>y"}');
    // The bot id (before the colon) is public: it stays.
    expect(redact("bot 123456789 started")).toBe("bot 123456789 started");
  });

  it("removes a secret containing another one whole (longest first)", () => {
    registerSecret("secret");
    registerSecret("my-secret-value");
    expect(redact("my-secret-value / secret")).toBe("<redacted> / <redacted>");
  });

  it("treats regex metacharacters in a secret literally", () => {
    registerSecret("a.b*c+(d)$");
    expect(redact("x a.b*c+(d)$ y aXbbbc+(d)")).toBe("x <redacted> y aXbbbc+(d)");
  });

  it("clearSecrets forgets registered values", () => {
    registerSecret(SECRET);
    clearSecrets();
    expect(redact(SECRET)).toBe(SECRET);
  });
});
