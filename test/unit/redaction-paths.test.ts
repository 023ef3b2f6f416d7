// Issue #18 case 9, one test per path: the bot token's secret half and a 5-character webhook
// secret, registered as the CLI registers configured secrets, never reach plain output, --json,
// the history file or a notification.
import { Writable } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { Output } from "../../src/cli/output.js";
import { loadEnvironmentText } from "../../src/config/load.js";
import { notifyOutcome } from "../../src/notify/index.js";
import { appendAudit } from "../../src/orchestrator/history.js";
import { clearSecrets, registerSecret } from "../../src/util/redact.js";
import { fakeEnvironment } from "../fakes/release-world.js";
import { minimalEnvironmentYaml } from "../fixtures/minimal-environment.js";

const TOKEN = "123456789:TEST-bot-token-aaaaaaaaaaaaaaaaaaaaaaaaa";
const HALF = "TEST-bot-token-aaaaaaaaaaaaaaaaaaaaaaaaa";
const SHORT = "s3cr5";
const LEAK = `a hook printed ${HALF} and the secret ${SHORT}`;

class Sink extends Writable {
  text = "";
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

function registered(): void {
  registerSecret(TOKEN);
  registerSecret(SHORT);
}
afterEach(() => clearSecrets());

const clean = (text: string) => {
  expect(text).not.toContain(HALF);
  expect(text).not.toContain(SHORT);
  expect(text).toContain("<redacted>");
};

describe("redaction on every path", () => {
  it("plain output (steps, lines, errors)", () => {
    registered();
    const stdout = new Sink();
    const stderr = new Sink();
    const out = new Output({ json: false, color: false, verbose: true, isTty: false, out: stdout, err: stderr, frameMs: 5 });
    out.step({ step: "hook", status: "info", message: LEAK });
    out.line(LEAK);
    out.error(LEAK);
    clean(stdout.text + stderr.text);
  });

  it("--json events and result lines", () => {
    registered();
    const stdout = new Sink();
    const out = new Output({ json: true, color: false, verbose: false, isTty: false, out: stdout, err: new Sink(), frameMs: 5 });
    out.step({ step: "hook", status: "info", message: LEAK });
    out.json({ type: "result", reason: LEAK });
    clean(stdout.text);
  });

  it("the history file", async () => {
    registered();
    const env = fakeEnvironment();
    await appendAudit(env.ctx, {
      at: "2026-01-01T00:00:00.000Z",
      environment: "production",
      kind: "release",
      outcome: "failed",
      releaseId: "r1",
      image: "x",
      colour: "blue",
      from: null,
      reason: LEAK,
      by: "t",
      durationMs: 1,
    });
    clean(env.hosts[0]?.files.get(env.settings.historyFile) ?? "");
  });

  it("notifications", async () => {
    registered();
    const yaml = `${minimalEnvironmentYaml({ apiBase: "http://127.0.0.1:9", webhookUrl: "http://127.0.0.1:8080/telegram/{colour}" })}notify:\n  webhook: { url: "http://127.0.0.1:9/hook" }\n`;
    const r = loadEnvironmentText(yaml, "/srv/environments/production.yaml", { TELEGRAM_BOT_TOKEN: TOKEN });
    if (!r.ok) throw new Error(r.errors.join("\n"));
    const bodies: string[] = [];
    const fetchImpl = (async (_url: string, init?: { body?: unknown }) => {
      bodies.push(String(init?.body ?? ""));
      return new Response(null, { status: 204 });
    }) as unknown as typeof fetch;
    const res = await notifyOutcome(
      r.config,
      { command: "release", environment: "production", outcome: "failed", releaseId: "r1", image: "x", colour: "blue", from: null, reason: LEAK },
      { fetchImpl },
    );
    expect(res.sent).toEqual(["webhook"]);
    clean(bodies.join("\n"));
  });
});
