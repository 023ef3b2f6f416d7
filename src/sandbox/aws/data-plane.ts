// The ALB's data plane: one real HTTP server per listener. Each request is routed by the
// listener's current rules (so a ModifyListener applies to the next request) and proxied to a
// target; in-flight requests are counted so draining can end early.
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { AlbMetrics } from "./cloudwatch/metrics.js";
import { requestFinished, requestStarted } from "./draining.js";
import { proxyRequest, sendError } from "./proxy.js";
import { pickTarget, pickTargetGroup, selectAction } from "./routing.js";
import { targetAddress } from "./target-health.js";
import type { World } from "./world.js";

export class DataPlane {
  private readonly servers = new Map<string, http.Server>();

  constructor(
    private readonly world: World,
    private readonly host: string,
    private readonly metrics?: AlbMetrics,
  ) {}

  /** Starts the listener's server on `port` (0 = ephemeral) and returns the port it got. */
  async open(listenerArn: string, port: number): Promise<number> {
    const server = http.createServer((req, res) => this.handle(listenerArn, req, res));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, this.host, () => {
        server.off("error", reject);
        resolve();
      });
    });
    this.servers.set(listenerArn, server);
    return (server.address() as AddressInfo).port;
  }

  async close(listenerArn: string): Promise<void> {
    const server = this.servers.get(listenerArn);
    if (!server) return;
    this.servers.delete(listenerArn);
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  async stop(): Promise<void> {
    await Promise.all([...this.servers.keys()].map((arn) => this.close(arn)));
  }

  private handle(listenerArn: string, req: http.IncomingMessage, res: http.ServerResponse): void {
    const listener = this.world.listeners.get(listenerArn);
    if (!listener) {
      sendError(res, 503, "Service Temporarily Unavailable");
      return;
    }
    const path = new URL(req.url ?? "/", "http://alb.invalid").pathname;
    const action = selectAction(this.world, listener, {
      path,
      host: req.headers.host ?? "",
      method: req.method ?? "GET",
      headers: req.headers,
    });
    if (!action) {
      sendError(res, 503, "Service Temporarily Unavailable");
      return;
    }
    if (action.type === "fixed-response") {
      const body = action.messageBody ?? "";
      res.writeHead(Number(action.statusCode), { "Content-Type": action.contentType ?? "text/plain", "Content-Length": Buffer.byteLength(body) });
      res.end(body);
      req.resume();
      return;
    }
    const tgArn = pickTargetGroup(action);
    const tg = tgArn ? this.world.targetGroups.get(tgArn) : undefined;
    const rec = tg ? pickTarget(this.world, tg) : undefined;
    if (!tg || !rec) {
      req.resume();
      sendError(res, 503, "Service Temporarily Unavailable");
      return;
    }
    const host = targetAddress(this.world, tg, rec);
    const at = Date.now();
    if (!host) {
      req.resume();
      sendError(res, 502, "Bad Gateway");
      this.metrics?.record({ at, loadBalancerArn: listener.loadBalancerArn, targetGroupArn: tg.arn, elbStatus: 502 });
      return;
    }
    requestStarted(rec);
    proxyRequest(req, res, { host, port: rec.port }, listener.port, (outcome) => {
      requestFinished(tg, rec);
      this.metrics?.record({ at, loadBalancerArn: listener.loadBalancerArn, targetGroupArn: tg.arn, ...outcome });
    });
  }
}
