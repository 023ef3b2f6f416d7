// Canary and linear shifts against the sandbox, under a steady stream of updates, with one webhook
// URL for both colours (the ALB splits Telegram's deliveries by the listener's weights):
// - plan shows the steps and weights; canary v1 -> v2 reaches 100% with 0 lost, and the bots' own
//   records show the deliveries split by weight during the canary step;
// - a canary of webhook-500 rolls back at its first step on the 5XX metric, 0 lost, most updates
//   never reaching the bad colour;
// - linear reaches 100% in its steps;
// - status during a canary shows the step and the weights; a canary SIGKILLed mid-step is undone by
//   the next release, which then shifts to 100% itself.
// (An alarm going to ALARM mid-bake of an all-at-once release: cloudwatch-gates.test.ts.)
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { CloudWatchClient, GetMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { loadBalancerDimension, targetGroupDimension } from "../../src/sandbox/aws/cloudwatch/metrics.js";
import { expectExit, killChildren, listenerForward, stopWorld, tolerantHealthChecks, webhookInfo, withStream } from "../helpers/assertions.js";
import { startTestWorld, type TestWorld } from "../helpers/sandbox-env.js";

let t: TestWorld;
let sharedUrl: string;
const children = new Set<number>();

const CANARY = "{ canary: { percent: 20, hold: 4s } }";
const LINEAR = "{ linear: { step: 34, interval: 1500ms } }";

beforeAll(async () => {
  // maxPendingUpdates 300: on a loaded 2-core box the stream's backlog can pass the default 50 for a
  // few checks; these tests are about the shift, and the backlog is not what they judge.
  t = await startTestWorld({
    firstHost: 246,
    sharedWebhook: true,
    strategy: CANARY,
    gates: { maxPendingUpdates: 300 },
    gateExtras: "  metrics: { maxTarget5xx: 0 }\n",
  });
  sharedUrl = `http://127.0.0.1:${t.world.albPort}/telegram`;
  await tolerantHealthChecks(t);
  // A first release has no colour of ours to split with: it moves all at once.
  const first = await t.cli(["release", "itest", "--image", "v1", "--json"]);
  expectExit(first, 0);
  expect(first.result?.shifts).toBeUndefined();
  expect(listenerForward(t)).toBe("blue");
  expect((await webhookInfo(t)).url).toBe(sharedUrl);
}, 180_000);
afterEach(() => killChildren(children));
afterAll(async () => {
  await stopWorld(t);
});

/** Rewrites the environment's rollout.strategy (the file is read when a command starts). */
async function useStrategy(strategy: string): Promise<void> {
  const yaml = await readFile(t.envFile, "utf8");
  await writeFile(t.envFile, yaml.replace(/, strategy: .*? \}\n/, `, strategy: ${strategy} }\n`));
}

interface Handled {
  updateId: number;
  variant: string;
  at: number;
}

/** Every update a bot handled (its BOT_RECORD_FILE lines), on every host, with the version that handled it. */
async function handled(): Promise<Handled[]> {
  // The CLI's docker stand-in runs in the world's runtime (BLUEGREEN_SANDBOX_STATE), one folder per host.
  const root = join(t.world.runtimeDir, "hosts");
  const out: Handled[] = [];
  for (const host of await readdir(root)) {
    const dir = join(root, host, "records");
    const files = await readdir(dir).catch(() => [] as string[]);
    for (const f of files) {
      for (const line of (await readFile(join(dir, f), "utf8")).split("\n")) {
        if (line === "") continue;
        const r = JSON.parse(line) as { updateId: number; variant: string; at: string };
        out.push({ updateId: r.updateId, variant: r.variant, at: Date.parse(r.at) });
      }
    }
  }
  return out;
}

interface Shift {
  step: number;
  of: number;
  percent: number;
  weights: { blue: number; green: number };
  at: string;
}

const shiftsOf = (r: { result?: Record<string, unknown> | undefined }): Shift[] => (r.result?.shifts as Shift[] | undefined) ?? [];

/** Requests the ALB sent to a target group between two instants (the emulator's CloudWatch RequestCount, as an operator would ask). */
async function requestCount(group: "bot-blue" | "bot-green", from: number, to: number): Promise<number> {
  const s = t.world.aws.control.state();
  const tg = s.targetGroups.find((g) => g.name === group);
  const lb = s.listeners.find((l) => l.arn === t.world.listenerArn)?.loadBalancerArn;
  if (tg === undefined || lb === undefined) throw new Error(`no target group ${group} or load balancer`);
  const client = new CloudWatchClient({
    endpoint: t.world.aws.endpoint,
    region: "ap-southeast-2",
    credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "test-secret" },
  });
  try {
    const dims = [
      { Name: "LoadBalancer", Value: loadBalancerDimension(lb) },
      { Name: "TargetGroup", Value: targetGroupDimension(tg.arn) },
    ];
    const r = await client.send(
      new GetMetricDataCommand({
        StartTime: new Date(from),
        EndTime: new Date(to),
        MetricDataQueries: [
          { Id: "requests", MetricStat: { Metric: { Namespace: "AWS/ApplicationELB", MetricName: "RequestCount", Dimensions: dims }, Period: 1, Stat: "Sum" } },
        ],
      }),
    );
    return (r.MetricDataResults?.[0]?.Values ?? []).reduce((a, b) => a + b, 0);
  } finally {
    client.destroy();
  }
}

describe("canary and linear shifts with one webhook URL", { timeout: 180_000 }, () => {
  it("canary v1 -> v2: 20% for the hold, then 100%; 0 lost; the deliveries split by weight during the step", async () => {
    const plan = await t.cli(["plan", "itest", "--image", "v2", "--json"]);
    expectExit(plan, 0);
    expect(plan.result?.shifts).toEqual([
      { step: 1, of: 2, percent: 20, weights: { green: 20, blue: 80 }, holdMs: 4000 },
      { step: 2, of: 2, percent: 100, weights: { green: 100, blue: 0 }, holdMs: 0 },
    ]);
    const r = await withStream(t, () => t.cli(["release", "itest", "--image", "v2", "--json"]), 10);
    expectExit(r, 0);
    const shifts = shiftsOf(r);
    expect(shifts.map((s) => [s.step, s.of, s.percent])).toEqual([
      [1, 2, 20],
      [2, 2, 100],
    ]);
    expect(shifts[0]?.weights).toEqual({ green: 20, blue: 80 });
    expect(listenerForward(t)).toBe("green");
    // The shared webhook never moved.
    expect((await webhookInfo(t)).url).toBe(sharedUrl);
    // The step's window: from its ModifyListener to the next one. Smooth weighted round-robin gives
    // exactly 1 in 5 over whole cycles; deliveries in flight across either edge blur it a little,
    // so the stated tolerance is 20% +/- 10 points over the step's deliveries (~40 at 10/s for 4s).
    const [s1, s2] = shifts as [Shift, Shift];
    const inStep = (await handled()).filter((h) => h.at >= Date.parse(s1.at) && h.at < Date.parse(s2.at));
    expect(inStep.length).toBeGreaterThanOrEqual(20);
    const share = inStep.filter((h) => h.variant === "v2").length / inStep.length;
    expect(share).toBeGreaterThan(0.1);
    expect(share).toBeLessThan(0.3);
    // After the last step, everything goes to v2 (a second of slack for deliveries in flight).
    const after = (await handled()).filter((h) => h.at >= Date.parse(s2.at) + 1000);
    expect(after.length).toBeGreaterThan(0);
    expect(after.every((h) => h.variant === "v2")).toBe(true);
    const history = await t.cli(["history", "itest", "--json", "--limit", "1"]);
    expect(JSON.stringify(history.events)).toContain('"shifts":["1/2 20%","2/2 100%"]');
  });

  it("canary of webhook-500 rolls back at the first step on the 5XX metric: exit 2, 0 lost, most updates never reach it", async () => {
    const before = (await t.updates()).length;
    const started = Date.now();
    const r = await withStream(t, () => t.cli(["release", "itest", "--image", "webhook-500", "--json"]), 10);
    const ended = Date.now();
    expectExit(r, 2);
    expect(r.result).toMatchObject({ outcome: "rolled-back", colour: "blue", from: "green", failedStep: { step: 1, of: 2, percent: 20 } });
    expect(String(r.result?.reason)).toMatch(/^bake failed: step 1\/2 \(blue 20% \/ green 80%\): the blue target group's HTTPCode_Target_5XX_Count \d+ > 0/);
    expect(shiftsOf(r).map((s) => s.percent)).toEqual([20]);
    // All weight back on green in one ModifyListener; the webhook never moved.
    expect(listenerForward(t)).toBe("green");
    expect((await webhookInfo(t)).url).toBe(sharedUrl);
    const modify = t.world.aws.control.calls().filter((c) => c.action === "ModifyListener" && Date.parse(c.at) >= started);
    expect(modify.length).toBe(2);
    const injected = (await t.updates()).length - before;
    const reachedBad = await requestCount("bot-blue", started, ended);
    expect(reachedBad).toBeGreaterThan(0);
    expect(reachedBad).toBeLessThan(injected / 2);
    const history = await t.cli(["history", "itest", "--json", "--limit", "1"]);
    expect(JSON.stringify(history.events)).toContain('"failedStep":"1/2 20%"');
  });

  it("linear reaches 100% in steps of 34%: 0 lost", async () => {
    await useStrategy(LINEAR);
    try {
      const r = await withStream(t, () => t.cli(["release", "itest", "--image", "v3", "--json"]), 10);
      expectExit(r, 0);
      expect(shiftsOf(r).map((s) => s.percent)).toEqual([34, 68, 100]);
      expect(shiftsOf(r)[1]?.weights).toEqual({ blue: 68, green: 32 });
      expect(listenerForward(t)).toBe("blue");
      expect((await webhookInfo(t)).url).toBe(sharedUrl);
    } finally {
      await useStrategy(CANARY);
    }
  });

  it("status during a canary shows the step and the weights; SIGKILLed mid-step, the next release undoes it and shifts to 100%", async () => {
    await useStrategy("{ canary: { percent: 20, hold: 60s } }");
    const r = await withStream(
      t,
      async () => {
        const run = t.spawnCli(["release", "itest", "--image", "v1", "--json"]);
        children.add(run.pid);
        // Deadline-bounded wait for the step's weights on the listener.
        const end = Date.now() + 90_000;
        while (!split()) {
          if (Date.now() > end) throw new Error("the canary step never reached the listener");
          await new Promise((res) => setTimeout(res, 50));
        }
        const st = await t.cli(["status", "itest", "--json"]);
        expect(st.events[0]).toMatchObject({ shift: { step: 1, of: 2, colour: "green", percent: 20, weights: { green: 20, blue: 80 } } });
        const text = await t.cli(["status", "itest"]);
        expect(text.stdout).toContain("shifting to green: step 1/2, green 20% / blue 80%");
        process.kill(run.pid, "SIGKILL");
        await run.done;
        children.delete(run.pid);
        await useStrategy(CANARY);
        return t.cli(["release", "itest", "--image", "v2", "--json"]);
      },
      10,
    );
    expectExit(r, 0);
    expect(String(r.result?.recovered)).toContain("found an interrupted release");
    expect(r.result).toMatchObject({ outcome: "released", colour: "green" });
    expect(shiftsOf(r).map((s) => s.percent)).toEqual([20, 100]);
    expect(listenerForward(t)).toBe("green");
    const st = await t.cli(["status", "itest", "--json"]);
    expect(st.events[0]).toMatchObject({ consistent: true, shift: null, releaseInProgress: null });
  });
});

/** The listener splits traffic between both colours (a canary step is on). */
function split(): boolean {
  const s = t.world.aws.control.state();
  const l = s.listeners.find((x) => x.arn === t.world.listenerArn);
  const a = l?.defaultActions[0];
  return a?.type === "forward" && a.targetGroups.filter((g) => g.weight > 0).length === 2;
}
