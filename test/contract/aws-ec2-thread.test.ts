// Contract: the Instances port with the EC2 client on a worker thread (`status`'s, #17) against the
// emulator: the same instances, calls counted in the caller's ledger, EC2's refusal with the same text
// as the one-thread adapter, a thread that dies replaced by the fallback, and a silent one timed out.
// The worker script is the built one (dist/, as the CLI runs it): a thread cannot run TypeScript.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AwsInstances } from "../../src/adapters/aws-ec2.js";
import { Ec2Thread } from "../../src/adapters/aws-ec2-thread.js";
import { CallCounter } from "../../src/adapters/call-count.js";
import type { Instances } from "../../src/ports.js";
import { type AwsWorld, REGION, rejectionOf, startAwsWorld } from "../helpers/aws-world.js";

const WORKER = new URL("../../dist/src/adapters/aws-ec2-worker.js", import.meta.url);
/** A thread that throws as it starts, and one that never answers. */
const DYING = new URL(`data:text/javascript,${encodeURIComponent("throw new Error('no EC2 client here')")}`);
const SILENT = new URL(`data:text/javascript,${encodeURIComponent("import { parentPort } from 'node:worker_threads'; parentPort.on('message', () => {});")}`);

let w: AwsWorld;
let ids: { a: string; b: string };
const threads: Ec2Thread[] = [];
beforeAll(async () => {
  if (!existsSync(fileURLToPath(WORKER))) throw new Error(`${fileURLToPath(WORKER)} is missing: run \`npm run build\` first`);
  w = await startAwsWorld();
  const add = w.emu.control.addInstance.bind(w.emu.control);
  ids = {
    a: add({ privateIp: "127.0.1.1", publicIp: "203.0.113.10", tags: { app: "bot" } }).instanceId,
    b: add({ privateIp: "127.0.1.2", tags: { app: "bot" }, state: "stopped" }).instanceId,
  };
});
afterAll(async () => {
  for (const t of threads) t.close();
  await w.stop();
});

const aws = () => ({ region: REGION, endpoint: w.emu.endpoint });
const here = (calls: CallCounter) => (selector: { tags: Record<string, string> } | { instanceIds: string[] }) => (): Instances =>
  new AwsInstances(aws(), selector, { calls });
function thread(opts: Parameters<typeof Ec2Thread.start>[0]): Ec2Thread {
  const t = Ec2Thread.start(opts);
  threads.push(t);
  return t;
}

describe("Ec2Thread: the EC2 client on a worker thread", () => {
  it("lists what the one-thread adapter lists, and counts the call in the caller's counter", async () => {
    const calls = new CallCounter();
    const selector = { tags: { app: "bot" } };
    const listed = await thread({ url: WORKER, calls })
      .instances(aws(), selector, () => {
        throw new Error("the fallback must not be used");
      })
      .list({ statusChecks: false });
    expect(listed).toEqual(await new AwsInstances(aws(), selector).list({ statusChecks: false }));
    expect(listed.map((i) => [i.instanceId, i.state])).toEqual(
      [
        [ids.a, "running"],
        [ids.b, "stopped"],
      ].sort((x, y) => ((x[0] ?? "") < (y[0] ?? "") ? -1 : 1)),
    );
    expect(calls.snapshot().aws).toEqual({ DescribeInstances: 1 });
    // The call's span ended (its end was relayed too): it counts in the time AWS calls were in flight.
    expect(calls.snapshot().busyMs?.aws).toBeGreaterThan(0);
  });

  it("with status checks: both calls, as the one-thread adapter makes them", async () => {
    const calls = new CallCounter();
    const listed = await thread({ url: WORKER, calls })
      .instances(aws(), { instanceIds: [ids.a] }, here(new CallCounter())({ instanceIds: [ids.a] }))
      .list();
    expect(listed).toEqual([{ instanceId: ids.a, state: "running", privateIp: "127.0.1.1", publicIp: "203.0.113.10", status: "ok" }]);
    expect(calls.snapshot().aws).toEqual({ DescribeInstances: 1, DescribeInstanceStatus: 1 });
  });

  it("EC2's refusal comes back with the one-thread adapter's exact text", async () => {
    const selector = { instanceIds: ["i-0000000000000dead"] };
    const onThread = await rejectionOf(thread({ url: WORKER }).instances(aws(), selector, here(new CallCounter())(selector)).list());
    const oneThread = await rejectionOf(new AwsInstances(aws(), selector).list());
    expect(onThread.message).toMatch(/^EC2 DescribeInstances: InvalidInstanceID\.NotFound: /);
    expect(onThread.message).toBe(oneThread.message);
  });

  it("a thread that dies is replaced by the fallback on this thread (the same answer, counted there)", async () => {
    const fallbackCalls = new CallCounter();
    const selector = { tags: { app: "bot" } };
    const listed = await thread({ url: DYING }).instances(aws(), selector, here(fallbackCalls)(selector)).list({ statusChecks: false });
    expect(listed.map((i) => i.instanceId).sort()).toEqual([ids.a, ids.b].sort());
    expect(fallbackCalls.snapshot().aws).toEqual({ DescribeInstances: 1 });
  });

  it("a thread that never answers: an error naming the call once the timeout passes", async () => {
    const selector = { tags: { app: "bot" } };
    const t0 = performance.now();
    const e = await rejectionOf(thread({ url: SILENT, timeoutMs: 300 }).instances(aws(), selector, here(new CallCounter())(selector)).list());
    expect(e.message).toBe("EC2 DescribeInstances: no answer within 0.3 s");
    expect(performance.now() - t0).toBeGreaterThanOrEqual(290);
  });
});
