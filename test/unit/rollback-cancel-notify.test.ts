// A cancelled `rollback` is printed and notified in the same words (review2 L4): the notification
// said only "rollback cancelled by SIGINT between two steps" while the printed error said the
// switches had moved and the restarted containers were not gated. One source of the text now
// (cancelledWords): the notification says the printed error's message once, word for word. A loopback webhook
// takes the notification.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { notifyingFailure } from "../../src/cli/commands/release.js";
import type { LoadedEnv } from "../../src/cli/env.js";
import { Output } from "../../src/cli/output.js";
import type { Config } from "../../src/config/types.js";
import { CancelledError } from "../../src/errors.js";
import { rollback } from "../../src/orchestrator/rollback.js";
import { onEachStep, releasedTwice, stopsAsTheListenerMoves } from "../fakes/rollback-setup.js";

let server: Server;
let url = "";
const received: { reason?: string; text: string; outcome: string }[] = [];
beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => {
      body += String(c);
    });
    req.on("end", () => {
      received.push(JSON.parse(body) as (typeof received)[number]);
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const sink = () =>
  new Writable({
    write(_c, _e, done) {
      done();
    },
  });

describe("a cancelled rollback's notification", () => {
  it("says what the printed error says: both switches moved, the restarted containers not gated", async () => {
    const { env, host } = await releasedTwice();
    stopsAsTheListenerMoves(env, host, "blue");
    // SIGINT as the gates of the container restarted where traffic now is start.
    const controller = new AbortController();
    env.ctx.cancel = controller.signal;
    let started = false;
    onEachStep(env, (e) => {
      if (e.step === "start" && e.status === "ok") started = true;
      if (started && e.step === "gates" && e.status === "start") controller.abort(new CancelledError("SIGINT"));
    });
    const loaded: LoadedEnv = {
      file: "bluegreen.yaml",
      config: {
        environment: "production",
        telegram: { botToken: "123456789:TEST-bot-token-aaaaaaaaaaaaaaaaaaaaaaaaa", apiBase: "http://127.0.0.1:9" },
        notify: { webhook: { url } },
      } as unknown as Config,
    };
    const out = new Output({ json: false, color: false, verbose: false, out: sink(), err: sink(), isTty: false });
    const e = await notifyingFailure(loaded, out, "rollback", () => rollback(env.ctx, { lockWaitMs: 0, runId: "rb" })).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(CancelledError);
    expect(e).toMatchObject({
      message: "rollback cancelled by SIGINT with both switches on blue (r1), its restarted containers there not gated yet",
      remedy: "`bluegreen rollback production` finishes the interrupted rollback (it restarts and gates the stopped containers)",
    });
    expect(received).toHaveLength(1);
    // The reason is the sentence without its subject; the text says the printed message once, word for word.
    expect(received[0]).toMatchObject({
      outcome: "cancelled",
      reason: "cancelled by SIGINT with both switches on blue (r1), its restarted containers there not gated yet",
    });
    expect(received[0]?.text).toBe(
      "⏹️ production: rollback cancelled by SIGINT with both switches on blue (r1), its restarted containers there not gated yet; run `bluegreen rollback production` to finish it",
    );
    expect(received[0]?.text).toContain((e as Error).message);
  });
});
