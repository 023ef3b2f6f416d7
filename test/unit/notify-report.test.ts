// notifyAndReport: a "notify" step event for what was sent and what was not; never throws.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Config } from "../../src/config/types.js";
import { notifyAndReport } from "../../src/notify/index.js";

let server: Server;
let base = "";
beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      res.statusCode = req.url === "/ok" ? 200 : 502;
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

const EVENT = {
  command: "rollback",
  environment: "production",
  outcome: "rolled-back",
  releaseId: "r-1",
  image: "bot:v1",
  colour: "blue",
  from: "green",
} as const;
const config = (url: string | undefined): Config =>
  ({
    telegram: { botToken: "123456789:TEST-bot-token-aaaaaaaaaaaaaaaaaaaaaaaaa", apiBase: base },
    ...(url === undefined ? {} : { notify: { webhook: { url } } }),
  }) as unknown as Config;

describe("notifyAndReport", () => {
  it("reports nothing without a notify section", async () => {
    const events: unknown[] = [];
    expect(await notifyAndReport(config(undefined), EVENT, { step: (e) => events.push(e) })).toEqual({ sent: [], failed: [] });
    expect(events).toEqual([]);
  });

  it("reports success and failure as notify steps", async () => {
    const events: unknown[] = [];
    await notifyAndReport(config(`${base}/ok`), EVENT, { step: (e) => events.push(e) });
    await notifyAndReport(config(`${base}/down`), EVENT, { step: (e) => events.push(e) });
    expect(events).toEqual([
      { step: "notify", status: "ok", message: "sent to webhook" },
      { step: "notify", status: "fail", message: `not sent (the rollback itself is unaffected): webhook: ${base}/down answered HTTP 502` },
    ]);
  });

  it("survives a reporter that throws", async () => {
    const r = await notifyAndReport(config(`${base}/ok`), EVENT, {
      step: () => {
        throw new Error("terminal gone");
      },
    });
    expect(r).toEqual({ sent: [], failed: ["notify: unexpected error"] });
  });
});
