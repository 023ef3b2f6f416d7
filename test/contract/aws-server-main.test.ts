// Contract: the runnable emulator (compiled server-main) prints its endpoint as one JSON line,
// serves the SDK, binds mapped listener ports, and on SIGTERM closes everything and exits 0.
import { type ChildProcess, spawn } from "node:child_process";
import http from "node:http";
import { createInterface } from "node:readline";
import { DescribeLoadBalancersCommand, ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { afterEach, beforeAll, expect, it } from "vitest";
import { ensureEmulatorBuilt } from "../helpers/aws-build.js";
import { testHost } from "../helpers/test-net.js";

let serverMain: string;
let child: ChildProcess | undefined;
beforeAll(async () => {
  serverMain = await ensureEmulatorBuilt();
});
afterEach(() => {
  if (child?.pid && child.exitCode === null) process.kill(child.pid, "SIGKILL");
  child = undefined;
});

// The emulator and its listener on this file's own loopback address, the listener on a fixed port
// below the ephemeral range: a free port found by binding 0 and closing it again was taken by
// another file's server in between in one clean-clone run (the seed then failed).
const HOST = testHost(186);
const ALB_PORT = 18080;

function get(path: string): Promise<{ status: number }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: HOST, port: ALB_PORT, path, method: "GET", agent: false }, (res) => {
      res.resume();
      res.on("end", () => resolve({ status: res.statusCode ?? 0 }));
    });
    req.on("error", reject);
    req.end();
  });
}

function firstLine(c: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("server-main printed nothing within 20 s")), 20_000);
    createInterface({ input: c.stdout as NodeJS.ReadableStream }).once("line", (line) => {
      clearTimeout(timer);
      resolve(line);
    });
    c.once("exit", (code) => reject(new Error(`server-main exited early with ${code}`)));
  });
}

function exited(c: ChildProcess): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("server-main did not exit within 10 s")), 10_000);
    c.once("exit", (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

it("prints {endpoint, port}, serves the SDK and control API, and stops cleanly on SIGTERM", async () => {
  child = spawn(process.execPath, [serverMain, "--port", "0", "--host", HOST, "--time-scale", "0.02", "--listener-port", `80=${ALB_PORT}`], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const ready = JSON.parse(await firstLine(child)) as { endpoint: string; port: number };
  expect(ready.endpoint).toBe(`http://${HOST}:${ready.port}`);

  const seed = await fetch(`${ready.endpoint}/_control/seed`, {
    method: "POST",
    body: JSON.stringify({
      name: "bot-alb",
      listenerPort: 80,
      targetGroups: [{ name: "bot-blue", port: 5001, healthCheckPath: "/health" }],
      defaultTargetGroup: "bot-blue",
    }),
  });
  expect(((await seed.json()) as { dataPlanePort: number }).dataPlanePort).toBe(ALB_PORT);
  const elb = new ElasticLoadBalancingV2Client({
    endpoint: ready.endpoint,
    region: "ap-southeast-2",
    credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "test" },
  });
  try {
    const lbs = await elb.send(new DescribeLoadBalancersCommand({}));
    expect(lbs.LoadBalancers?.map((l) => l.LoadBalancerName)).toEqual(["bot-alb"]);
  } finally {
    elb.destroy();
  }
  expect((await get("/")).status).toBe(503);

  child.kill("SIGTERM");
  expect(await exited(child)).toBe(0);
  const refused = await get("/").then(
    () => "answered",
    (err: NodeJS.ErrnoException) => err.code,
  );
  expect(refused).toBe("ECONNREFUSED");
});
