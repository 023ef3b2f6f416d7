// A small webhook receiver for the contract tests: records every request (path, headers, body,
// timing), answers through a programmable reply function, and tracks concurrency.
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  // biome-ignore lint/suspicious/noExplicitAny: the parsed Update
  json: any;
  at: number;
  /** Set when the emulator closed the connection before we answered. */
  aborted: boolean;
}

export interface Reply {
  status?: number;
  headers?: Record<string, string>;
  body?: string;
  /** Never answer (the request stays open until the emulator gives up or aborts). */
  hang?: boolean;
}

export type Replier = (r: Received) => Reply | Promise<Reply>;

export interface Receiver {
  port: number;
  url(path?: string): string;
  received: Received[];
  maxConcurrent: number;
  /** Highest number of requests open at once for one chat id. */
  maxConcurrentPerChat: number;
  reply: Replier;
  stop(): Promise<void>;
}

export async function startReceiver(reply: Replier = () => ({ status: 200 }), host = "127.0.0.1"): Promise<Receiver> {
  let open = 0;
  const openPerChat = new Map<number, number>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const body = Buffer.concat(chunks).toString("utf8");
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch {
        json = undefined;
      }
      const r: Received = { path: req.url ?? "", headers: req.headers, body, json, at: Date.now(), aborted: false };
      rx.received.push(r);
      const chat = (json as { message?: { chat?: { id?: number } } } | undefined)?.message?.chat?.id ?? 0;
      open += 1;
      openPerChat.set(chat, (openPerChat.get(chat) ?? 0) + 1);
      rx.maxConcurrent = Math.max(rx.maxConcurrent, open);
      rx.maxConcurrentPerChat = Math.max(rx.maxConcurrentPerChat, openPerChat.get(chat) ?? 0);
      let closed = false;
      const release = (): void => {
        if (closed) return;
        closed = true;
        open -= 1;
        openPerChat.set(chat, (openPerChat.get(chat) ?? 1) - 1);
      };
      res.on("close", () => {
        if (!res.writableFinished) r.aborted = true;
        release();
      });
      const answer = await rx.reply(r);
      if (answer.hang === true || res.destroyed) return;
      release();
      res.writeHead(answer.status ?? 200, answer.headers ?? {});
      res.end(answer.body ?? "");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const port = (server.address() as AddressInfo).port;
  const rx: Receiver = {
    port,
    url: (path = "/hook") => `http://${host}:${port}${path}`,
    received: [],
    maxConcurrent: 0,
    maxConcurrentPerChat: 0,
    reply,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  return rx;
}

/** A promise plus its resolver, to hold a receiver's answer until the test releases it. */
export function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = (): void => undefined;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}
