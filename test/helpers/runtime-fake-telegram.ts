// A tiny stand-in for the Telegram Bot API: records each call, answers {"ok":true,"result":true}.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface TelegramCall {
  path: string;
  method: string;
  body: Record<string, unknown>;
}

export interface FakeTelegram {
  apiBase: string;
  calls: TelegramCall[];
  close(): Promise<void>;
}

export async function startFakeTelegram(): Promise<FakeTelegram> {
  const calls: TelegramCall[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      const path = req.url ?? "";
      calls.push({ path, method: path.split("/").pop() ?? "", body: text ? (JSON.parse(text) as Record<string, unknown>) : {} });
      const description = path.endsWith("/setWebhook") ? "Webhook was set" : path.endsWith("/deleteWebhook") ? "Webhook was deleted" : undefined;
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ ok: true, result: true, ...(description ? { description } : {}) }));
    });
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as AddressInfo;
  return {
    apiBase: `http://127.0.0.1:${port}`,
    calls,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
