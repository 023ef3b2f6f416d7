// Streams one request to a target and its response back, the way an ALB does: headers and body
// pass through (with X-Forwarded-* added), a connection failure becomes a 502.
import http from "node:http";

const HOP_BY_HOP = new Set(["connection", "keep-alive", "proxy-connection", "upgrade", "te", "trailer"]);

export function errorPage(status: number, text: string): string {
  return `<html>\r\n<head><title>${status} ${text}</title></head>\r\n<body>\r\n<center><h1>${status} ${text}</h1></center>\r\n</body>\r\n</html>\r\n`;
}

export function sendError(res: http.ServerResponse, status: 502 | 503, text: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = errorPage(status, text);
  res.writeHead(status, { "Content-Type": "text/html", "Content-Length": Buffer.byteLength(body), Server: "awselb/2.0" });
  res.end(body);
}

/** Copies headers keeping their original spelling (e.g. X-Telegram-Bot-Api-Secret-Token). */
function forwardedHeaders(req: http.IncomingMessage, listenerPort: number): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] as string;
    const value = raw[i + 1] as string;
    if (HOP_BY_HOP.has(name.toLowerCase())) continue;
    const prev = out[name];
    out[name] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
  }
  const client = req.socket.remoteAddress ?? "127.0.0.1";
  const xff = req.headers["x-forwarded-for"];
  out["X-Forwarded-For"] = xff ? `${xff}, ${client}` : client;
  out["X-Forwarded-Proto"] = "http";
  out["X-Forwarded-Port"] = String(listenerPort);
  return out;
}

/** How one proxied request ended, for the ALB's CloudWatch metrics. */
export interface ProxyOutcome {
  /** The target's status, when it answered. */
  targetStatus?: number;
  /** Seconds from sending the request until the target's response headers arrived. */
  targetSeconds?: number;
  /** The ALB's own error answer (502) when the target could not be reached. */
  elbStatus?: number;
}

export function proxyRequest(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  target: { host: string; port: number },
  listenerPort: number,
  onDone: (outcome: ProxyOutcome) => void,
): void {
  let done = false;
  const sentAt = process.hrtime.bigint();
  const outcome: ProxyOutcome = {};
  const finish = () => {
    if (!done) {
      done = true;
      onDone(outcome);
    }
  };
  const upstream = http.request({
    host: target.host,
    port: target.port,
    method: req.method,
    path: req.url,
    headers: forwardedHeaders(req, listenerPort),
    agent: false,
  });
  upstream.on("response", (up) => {
    outcome.targetStatus = up.statusCode ?? 502;
    outcome.targetSeconds = Number(process.hrtime.bigint() - sentAt) / 1e9;
    const headers: Record<string, string | string[]> = {};
    const raw = up.rawHeaders;
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const name = raw[i] as string;
      if (HOP_BY_HOP.has(name.toLowerCase())) continue;
      const prev = headers[name];
      const value = raw[i + 1] as string;
      headers[name] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
    }
    res.writeHead(up.statusCode ?? 502, headers);
    up.pipe(res);
    up.on("end", finish);
    up.on("error", () => {
      res.destroy();
      finish();
    });
  });
  upstream.on("error", () => {
    if (outcome.targetStatus === undefined) outcome.elbStatus = 502;
    sendError(res, 502, "Bad Gateway");
    finish();
  });
  // A client that goes away mid-request takes the upstream request with it.
  res.on("close", () => {
    if (!res.writableFinished) upstream.destroy();
    finish();
  });
  req.pipe(upstream);
}
