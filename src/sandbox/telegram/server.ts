// The emulator's HTTP server: /bot<token>/<method> is the Bot API, /_control/... the control API,
// anything else 404 (in the Bot API's envelope, as api.telegram.org answers).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { handleBotApi, splitBotPath } from "./bot-api-routes.js";
import { handleControl } from "./control-routes.js";
import { ERR_NOT_FOUND } from "./envelope.js";
import { BodyTooLarge, readBody, sendJson } from "./http-util.js";
import type { TelegramWorld } from "./world.js";

async function handle(world: TelegramWorld, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? "/", "http://emulator.invalid");
  let body: Buffer;
  try {
    body = await readBody(req);
  } catch (e) {
    if (e instanceof BodyTooLarge) sendJson(res, 413, { ok: false, error_code: 413, description: "Request Entity Too Large" });
    return;
  }
  const path = url.pathname;
  if (path === "/_control" || path.startsWith("/_control/")) {
    return handleControl(world, req.method ?? "GET", path, url.searchParams, body, res);
  }
  const parts = splitBotPath(path);
  if (parts === undefined) {
    const err = ERR_NOT_FOUND();
    return sendJson(res, err.code, err.body());
  }
  return handleBotApi(world, req, res, parts, url.searchParams, body);
}

export interface RunningServer {
  server: Server;
  port: number;
  close(): Promise<void>;
}

export function listen(world: TelegramWorld, host: string, port: number): Promise<RunningServer> {
  const server = createServer((req, res) => {
    handle(world, req, res).catch(() => {
      if (!res.headersSent) sendJson(res, 500, { ok: false, error_code: 500, description: "Internal Server Error" });
    });
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      const actual = (server.address() as AddressInfo).port;
      resolve({
        server,
        port: actual,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            // Long polls and keep-alive sockets would hold close() open.
            server.closeAllConnections();
          }),
      });
    });
  });
}
