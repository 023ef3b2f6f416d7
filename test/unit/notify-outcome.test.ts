// notifyOutcome: the exact texts, the webhook's JSON and secret header, and that no failure
// (refused connection, 500, a hang, a bad chat) ever throws or leaks a token.
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadEnvironmentText } from "../../src/config/load.js";
import type { Config } from "../../src/config/types.js";
import { notifyOutcome, outcomeText, shortImage } from "../../src/notify/index.js";
import { minimalEnvironmentYaml } from "../fixtures/minimal-environment.js";

const TOKEN = "123456789:TEST-bot-token-aaaaaaaaaaaaaaaaaaaaaaaaa";
const HEADER = "TEST-notify-header-secret";
const DIGEST = "sha256:3f2a9c1b7d4e5f60718293a4b5c6d7e8f90112233445566778899aabbccddeef";

interface Received {
  path: string;
  headers: IncomingMessage["headers"];
  body: string;
}
let server: Server;
let base = "";
const received: Received[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => {
      body += c.toString();
    });
    req.on("end", () => {
      received.push({ path: req.url ?? "", headers: req.headers, body });
      if (req.url?.startsWith("/hang") === true) return; // never answers: the client's deadline must end it
      res.statusCode = req.url === "/fail" ? 500 : 204;
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

/** A port nothing listens on: bound, then closed again. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

function config(notify: string): Config {
  const yaml = `${minimalEnvironmentYaml({ apiBase: base, webhookUrl: "http://127.0.0.1:8080/telegram/{colour}" })}${notify}`;
  const r = loadEnvironmentText(yaml, "/srv/environments/production.yaml", { TELEGRAM_BOT_TOKEN: TOKEN, HOOK_SECRET: HEADER });
  if (!r.ok) throw new Error(r.errors.join("\n"));
  return r.config;
}

const RELEASED = {
  command: "release",
  environment: "production",
  outcome: "released",
  releaseId: "r-20261128-1",
  image: `123456789012.dkr.ecr.ap-southeast-2.amazonaws.com/bot@${DIGEST}`,
  colour: "green",
  from: "blue",
} as const;

describe("outcomeText", () => {
  it("says what happened in one short line", () => {
    expect(shortImage(RELEASED.image)).toBe("bot@sha256:3f2a9c1b7d4e…");
    expect(outcomeText(RELEASED)).toBe("✅ production: released r-20261128-1 (bot@sha256:3f2a9c1b7d4e…) on green");
    expect(outcomeText({ ...RELEASED, outcome: "rolled-back", reason: "bake failed: Telegram reports webhook delivery errors\nmore" })).toBe(
      "↩️ production: release r-20261128-1 (bot@sha256:3f2a9c1b7d4e…) rolled back automatically: bake failed: Telegram reports webhook delivery errors; blue is live again",
    );
    expect(outcomeText({ ...RELEASED, outcome: "failed", reason: "container bot-green exited with code 3" })).toBe(
      "⚠️ production: release r-20261128-1 (bot@sha256:3f2a9c1b7d4e…) failed before traffic moved: container bot-green exited with code 3; the live release is unchanged",
    );
    expect(outcomeText({ ...RELEASED, outcome: "needs-human", reason: "the rollback failed" })).toBe(
      "🚨 production: release r-20261128-1 (bot@sha256:3f2a9c1b7d4e…) needs a human: the rollback failed; run `bluegreen status production`",
    );
    expect(outcomeText({ ...RELEASED, command: "promote", promotedFrom: { environment: "staging", releaseId: "r-7" } })).toBe(
      "✅ production: promoted r-20261128-1 (bot@sha256:3f2a9c1b7d4e…) from staging r-7 on green",
    );
    expect(outcomeText({ ...RELEASED, command: "rollback", outcome: "rolled-back", image: "bot:v1", colour: "blue", from: "green" })).toBe(
      "↩️ production: rolled back to r-20261128-1 (bot:v1) on blue",
    );
  });
});

describe("outcomeText of a cancelled run", () => {
  it("says the run's own sentence after its subject, never wrapped in words that could contradict it", () => {
    const cancelled = { ...RELEASED, outcome: "cancelled", colour: null } as const;
    // The orchestrator's release result: the reason says nothing moved.
    expect(
      outcomeText({
        ...cancelled,
        reason: "cancelled by SIGINT before any traffic moved: the new green containers are stopped (kept for inspection) and the live release is unchanged",
      }),
    ).toBe(
      "⏹️ production: release r-20261128-1 (bot@sha256:3f2a9c1b7d4e…) cancelled by SIGINT before any traffic moved: the new green containers are stopped (kept for inspection) and the live release is unchanged",
    );
    // A CancelledError that reached the CLI (no release id known there) saying switches moved: the
    // template used to add "cancelled before traffic moved: ...; the live release is unchanged".
    expect(
      outcomeText({
        ...cancelled,
        releaseId: "",
        image: "",
        reason: "cancelled by SIGINT with both switches on blue (r1), its restarted containers there not gated yet",
      }),
    ).toBe("⏹️ production: release cancelled by SIGINT with both switches on blue (r1), its restarted containers there not gated yet");
    expect(
      outcomeText({ ...cancelled, command: "promote", releaseId: "", image: "", reason: "cancelled by SIGTERM between two steps: nothing is half-moved" }),
    ).toBe("⏹️ production: promotion cancelled by SIGTERM between two steps: nothing is half-moved");
    expect(
      outcomeText({ ...cancelled, command: "rollback", releaseId: "", image: "", reason: "cancelled by SIGINT between two steps: nothing is half-moved" }),
    ).toBe("⏹️ production: rollback cancelled by SIGINT between two steps: nothing is half-moved; run `bluegreen rollback production` to finish it");
  });
});

describe("notifyOutcome", () => {
  it("does nothing without a notify section", async () => {
    expect(await notifyOutcome(config(""), RELEASED)).toEqual({ sent: [], failed: [] });
  });

  it("POSTs the result as JSON with the secret header", async () => {
    received.length = 0;
    const c = config(`notify:\n  webhook: { url: "${base}/ok", secretHeader: "\${env:HOOK_SECRET}" }\n`);
    expect(await notifyOutcome(c, RELEASED)).toEqual({ sent: ["webhook"], failed: [] });
    expect(received).toHaveLength(1);
    const [got] = received;
    expect(got?.path).toBe("/ok");
    expect(got?.headers["x-bluegreen-secret"]).toBe(HEADER);
    expect(got?.headers["content-type"]).toBe("application/json");
    const { at, ...body } = JSON.parse(got?.body ?? "{}") as Record<string, unknown>;
    expect(typeof at).toBe("string");
    expect(body).toEqual({ type: "bluegreen.outcome", text: "✅ production: released r-20261128-1 (bot@sha256:3f2a9c1b7d4e…) on green", ...RELEASED });
  });

  it("never throws: a 500, a hang and a refused connection are reported, not raised", async () => {
    const failing = config(`notify:\n  webhook: { url: "${base}/fail" }\n`);
    expect(await notifyOutcome(failing, RELEASED)).toEqual({ sent: [], failed: [`webhook: ${base}/fail answered HTTP 500`] });
    const hanging = config(`notify:\n  webhook: { url: "${base}/hang?key=abc" }\n`);
    expect(await notifyOutcome(hanging, RELEASED, { timeoutMs: 200 })).toEqual({ sent: [], failed: ["webhook: no answer within 200 ms"] });
    const closed = await closedPort();
    const refused = config(`notify:\n  webhook: { url: "http://127.0.0.1:${closed}/x" }\n`);
    expect(await notifyOutcome(refused, RELEASED)).toEqual({ sent: [], failed: [`webhook: request failed (connect ECONNREFUSED 127.0.0.1:${closed})`] });
    const throwing: typeof fetch = async () => {
      throw new Error(`boom at ${base}/bot${TOKEN}/sendMessage`);
    };
    const tg = config("notify:\n  telegram: { chatId: 42 }\n");
    expect(await notifyOutcome(tg, RELEASED, { fetchImpl: throwing })).toEqual({
      sent: [],
      failed: [`telegram: request failed (boom at ${base}/bot<redacted>/sendMessage)`],
    });
  });

  it("keeps secrets out of the text even when a reason quotes them", async () => {
    received.length = 0;
    const c = config(`notify:\n  webhook: { url: "${base}/ok", secretHeader: "\${env:HOOK_SECRET}" }\n`);
    await notifyOutcome(c, { ...RELEASED, outcome: "failed", reason: `getMe with ${TOKEN} and ${HEADER} failed` });
    const body = received[0]?.body ?? "";
    expect(body).not.toContain(TOKEN);
    expect(body).not.toContain(HEADER);
    expect(JSON.parse(body).reason).toBe("getMe with <redacted> and <redacted> failed");
  });
});
