// One HTTP/1.1 exchange over any byte stream: a TCP socket for local hosts, an SSH direct-tcpip
// channel for real ones. One deadline covers opening the stream, the request and the whole body.
import { request } from "node:http";
import type { Duplex } from "node:stream";
import { type HttpResponse, NotListeningError } from "../ports.js";

export interface HttpExchange {
  /** What the request goes to, for headers and messages (`127.0.0.1`). */
  host: string;
  port: number;
  path: string;
  method?: string;
  body?: string;
  headers?: Record<string, string>;
  timeoutMs: number;
  /** How the request reaches the host, e.g. `GET http://127.0.0.1:5001/health via root@10.0.1.5:22`. */
  describe: string;
  /** Opens the byte stream (an SSH tunnel); when absent, Node opens a TCP connection to host:port. */
  openStream?: () => Promise<Duplex>;
  /** Maps a failure to a richer error (e.g. a lost SSH connection); returns undefined to keep the original. */
  explainFailure?: (err: Error) => Error | undefined;
}

export function httpExchange(x: HttpExchange): Promise<HttpResponse> {
  return new Promise<HttpResponse>((resolve, reject) => {
    let settled = false;
    let stream: Duplex | undefined;
    let destroyRequest: (() => void) | undefined;
    /** Whether any of an answer arrived (its status line): a connection closed before it was never served. */
    let answered = false;
    const finish = (err: Error | undefined, res?: HttpResponse) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) {
        destroyRequest?.();
        stream?.destroy();
        reject(x.explainFailure?.(err) ?? err);
      } else if (res) {
        resolve(res);
      }
    };
    const timer = setTimeout(() => finish(new Error(`${x.describe} timed out after ${x.timeoutMs}ms`)), x.timeoutMs);
    const fail = (err: Error) => {
      const message = `${x.describe} failed: ${err.message}`;
      finish(notListening(err, answered) ? new NotListeningError(message) : new Error(message));
    };

    const send = (opened: Duplex | undefined) => {
      if (settled) {
        opened?.destroy();
        return;
      }
      stream = opened;
      const req = request(
        {
          host: x.host,
          port: x.port,
          path: x.path,
          method: x.method ?? "GET",
          // Close after one exchange so tunnels and sockets never linger.
          headers: { connection: "close", ...x.headers },
          ...(opened ? { createConnection: () => opened } : { agent: false }),
        },
        (res) => {
          answered = true;
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => finish(undefined, { status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
          // A connection cut mid-body closes the response before it is complete.
          res.on("close", () => {
            if (!res.complete) fail(new Error("connection closed before the response was complete"));
          });
          res.on("error", fail);
        },
      );
      destroyRequest = () => req.destroy();
      req.on("error", fail);
      req.end(x.body);
    };

    if (x.openStream) x.openStream().then(send, fail);
    else send(undefined);
  });
}

/**
 * Nothing listens on the port: TCP's ECONNREFUSED, or, through a tunnel, sshd answering the
 * channel open with SSH_OPEN_CONNECT_FAILED (reason 2) and "Connection refused" (its strerror).
 */
export function refused(err: Error): boolean {
  const e = err as Error & { code?: unknown; reason?: unknown };
  return e.code === "ECONNREFUSED" || (e.reason === 2 && /connection refused/i.test(e.message));
}

/**
 * Whether a failed request found nothing serving the port: refused, or accepted and then closed or
 * reset before any answer. The second is what a published port looks like on a real host while the
 * container's process has not bound it yet: docker's userland proxy (docker-proxy, which serves
 * the host's loopback) accepts for the container, cannot reach it, and closes the connection
 * (curl: "Empty reply from server" / "Connection reset by peer"; Node: "socket hang up").
 */
export function notListening(err: Error, answered: boolean): boolean {
  const code = (err as Error & { code?: unknown }).code;
  return refused(err) || (!answered && (code === "ECONNRESET" || code === "EPIPE"));
}
