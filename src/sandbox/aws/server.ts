// The emulator's API server: Query-protocol calls (and CloudWatch's JSON calls) at `POST /`, JSON control routes under /_control/.

import { randomUUID } from "node:crypto";
import http from "node:http";
import { answerApiCall } from "./api.js";
import { answerCloudWatchCall, isCloudWatchCall } from "./cloudwatch/index.js";
import type { AwsControl } from "./control.js";
import { answerControl, sendJson } from "./control-http.js";
import type { Runtime } from "./runtime.js";

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

export function createApiServer(rt: Runtime, control: AwsControl): http.Server {
  return http.createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const path = new URL(req.url ?? "/", "http://emulator.invalid").pathname;
      if (path.startsWith("/_control/")) {
        const answer = await answerControl(control, req.method ?? "GET", path, body);
        sendJson(res, answer.status, answer.json);
        return;
      }
      if (req.method !== "POST" || path !== "/") {
        sendJson(res, 404, { error: `no route ${req.method} ${path}` });
        return;
      }
      const target = req.headers["x-amz-target"];
      if (typeof target === "string" && isCloudWatchCall(target)) {
        const cw = await answerCloudWatchCall(rt, target, body, randomUUID());
        res.writeHead(cw.status, { ...cw.headers, "Content-Length": Buffer.byteLength(cw.body) });
        res.end(cw.body);
        return;
      }
      const answer = await answerApiCall(rt, body, req.headers.authorization);
      res.writeHead(answer.status, {
        "Content-Type": "text/xml;charset=UTF-8",
        "Content-Length": Buffer.byteLength(answer.body),
        "x-amzn-RequestId": answer.requestId,
      });
      res.end(answer.body);
    })().catch((err: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: (err as Error).message });
      else res.destroy();
    });
  });
}
