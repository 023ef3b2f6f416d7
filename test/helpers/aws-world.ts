// Test helpers for the AWS emulator contract tests: an emulator with the real SDK clients pointed
// at it, small HTTP servers standing in for bot containers, and deadline-bounded waits.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { EC2Client } from "@aws-sdk/client-ec2";
import { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { type AwsEmulator, type AwsEmulatorOptions, startAwsEmulator } from "../../src/sandbox/aws/index.js";

export const REGION = "ap-southeast-2";
const credentials = { accessKeyId: "AKIDTESTTESTTEST", secretAccessKey: "test-secret" };

export interface AwsWorld {
  emu: AwsEmulator;
  elb: ElasticLoadBalancingV2Client;
  ec2: EC2Client;
  cw: CloudWatchClient;
  stop(): Promise<void>;
}

export async function startAwsWorld(opts: AwsEmulatorOptions = {}): Promise<AwsWorld> {
  const emu = await startAwsEmulator({ timeScale: 0.02, ...opts });
  const elb = new ElasticLoadBalancingV2Client({ endpoint: emu.endpoint, region: REGION, credentials });
  const ec2 = new EC2Client({ endpoint: emu.endpoint, region: REGION, credentials });
  const cw = new CloudWatchClient({ endpoint: emu.endpoint, region: REGION, credentials });
  return {
    emu,
    elb,
    ec2,
    cw,
    async stop() {
      elb.destroy();
      ec2.destroy();
      cw.destroy();
      await emu.stop();
    },
  };
}

export interface TargetServer {
  host: string;
  port: number;
  /** Status the server answers with (health checks included); change it to flip health. */
  status: number;
  /** Every request seen: method, path, headers, body. */
  seen: { method: string; path: string; headers: http.IncomingHttpHeaders; body: string }[];
  /** When set, non-health requests wait for this promise before answering. */
  hold?: Promise<void>;
  stop(): Promise<void>;
}

/** A stand-in bot container: answers `status` with a body naming itself. */
export async function startTarget(host: string, name: string, port = 0): Promise<TargetServer> {
  const t: TargetServer = { host, port: 0, status: 200, seen: [], stop: async () => {} };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      t.seen.push({ method: req.method ?? "", path: req.url ?? "", headers: req.headers, body });
      const answer = () => {
        res.writeHead(t.status, { "Content-Type": "text/plain", "X-Served-By": name });
        res.end(`${name} ${req.method} ${req.url} ${body}`);
      };
      if (t.hold && req.url !== "/health") void t.hold.then(answer);
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  t.port = (server.address() as AddressInfo).port;
  t.stop = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return t;
}

/** Polls `read` until `done` holds, failing with the last value after the deadline. */
export async function waitFor<T>(read: () => Promise<T> | T, done: (v: T) => boolean, timeoutMs = 5000, what = "condition"): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T = await read();
  while (!done(last)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last value: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 20));
    last = await read();
  }
  return last;
}

/** A plain HTTP request through the data plane (node:http, so a Host header can be set). */
export function httpCall(
  port: number,
  path: string,
  init: { method?: string; body?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: string; headers: Map<string, string> }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, path, method: init.method ?? "POST", headers: init.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const headers = new Map<string, string>();
        for (const [k, v] of Object.entries(res.headers)) if (typeof v === "string") headers.set(k, v);
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8"), headers });
      });
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(init.body);
  });
}

/** The rejection of a promise that must fail (fails the test if it resolves). */
export async function rejectionOf(p: Promise<unknown>): Promise<Error & { $metadata?: { httpStatusCode?: number; attempts?: number } }> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error("expected the call to fail, but it succeeded");
}
