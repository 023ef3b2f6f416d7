// Reads the two traffic switches of a test world straight from the emulators (never through the
// CLI under test), so integration tests assert where traffic really goes.
import { join } from "node:path";
import { ElasticLoadBalancingV2Client, ModifyTargetGroupCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import { expect } from "vitest";
import { killAllContainers } from "../../src/sandbox/runtime/index.js";
import { BOT_TOKEN, type CliResult, lostUpdates, type TestWorld } from "./sandbox-env.js";

export type Colour = "blue" | "green";

/** Which colour the listener's default action forwards all traffic to (null: mixed, none, foreign). */
export function listenerForward(t: TestWorld): Colour | null {
  const s = t.world.aws.control.state();
  const listener = s.listeners.find((l) => l.arn === t.world.listenerArn);
  const action = listener?.defaultActions[0];
  if (action === undefined || action.type !== "forward") return null;
  const nameOf = (arn: string) => s.targetGroups.find((g) => g.arn === arn)?.name;
  const live = action.targetGroups.filter((g) => g.weight > 0).map((g) => nameOf(g.targetGroupArn));
  if (live.length !== 1) return null;
  return live[0] === "bot-blue" ? "blue" : live[0] === "bot-green" ? "green" : null;
}

export interface WebhookInfoResult {
  url: string;
  pending_update_count: number;
  last_error_message?: string;
}

export async function webhookInfo(t: TestWorld): Promise<WebhookInfoResult> {
  const res = await fetch(`${t.world.telegram.url}/bot${BOT_TOKEN}/getWebhookInfo`);
  const body = (await res.json()) as { ok: boolean; result: WebhookInfoResult };
  return body.result;
}

export const webhookUrlOf = (t: TestWorld, c: Colour): string => `http://127.0.0.1:${t.world.albPort}/telegram/${c}`;

/** Both switches point at `c`: the listener forwards to it and the webhook is its URL. */
export async function expectLive(t: TestWorld, c: Colour): Promise<void> {
  expect(listenerForward(t)).toBe(c);
  expect((await webhookInfo(t)).url).toBe(webhookUrlOf(t, c));
}

/** Exit code with the whole output as the failure message, so a wrong code explains itself. */
export function expectExit(r: CliResult, code: number): void {
  expect(r.code, `stdout:\n${r.stdout}\nstderr:\n${r.stderr}`).toBe(code);
  expect(r.result?.exitCode).toBe(code);
}

/**
 * Runs `body` while a steady stream of updates flows, then stops the stream and asserts that
 * every injected update was acknowledged by some bot.
 */
export async function withStream<T>(t: TestWorld, body: () => Promise<T>, rate = 20): Promise<T> {
  const id = await t.stream(rate, 120_000);
  let out: T;
  try {
    out = await body();
  } finally {
    await t.stopStream(id);
  }
  expect(await lostUpdates(t)).toEqual([]);
  return out;
}

/** The steps a release applied, in order (from its --json result). */
export function stepNames(r: CliResult): string[] {
  const steps = r.result?.steps;
  return Array.isArray(steps) ? (steps as string[]) : [];
}

/**
 * Stops the world and every container the CLI started. The CLI's local transport keeps sandbox
 * containers under `<config-dir>/.bluegreen/sandbox/runtime` (src/cli/real-ports.ts), not the
 * world's runtimeDir, so world.stop() alone leaves those bots running and their ports bound.
 */
/** SIGKILLs every CLI a test started and left running (a failed assertion must not leave one behind), by pid. */
export function killChildren(children: Set<number>): void {
  for (const pid of children) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  children.clear();
}

export async function stopWorld(t: TestWorld | undefined): Promise<void> {
  if (t === undefined) return;
  await killAllContainers(join(t.dir, ".bluegreen", "sandbox", "runtime")).catch(() => 0);
  await t.stop();
}

/** Resolves once both switches point at `c` (the cutover is done and the bake begins). */
export async function waitForCutover(t: TestWorld, c: Colour, deadlineMs = 60_000): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (Date.now() < end) {
    if (listenerForward(t) === c && (await webhookInfo(t)).url === webhookUrlOf(t, c)) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`no cutover to ${c} within ${deadlineMs}ms`);
}

/**
 * The test world's ALB probed with a 100 ms timeout (2 s x time scale 0.05; the emulator now
 * floors it at 500 ms, PROBE_TIMEOUT_FLOOR_MS) and marks a target unhealthy after 2 misses: on a
 * loaded 2-core CI box a healthy bot missed that, and a bake failed for no reason of its own. 0.1 x (interval 5 s, timeout 4 s, 3 misses) keeps probes fast
 * (500 ms) but tolerant (400 ms per probe). Changed through the ELBv2 API, as an operator would.
 */
export async function tolerantHealthChecks(t: TestWorld): Promise<void> {
  t.world.aws.control.setTimeScale(0.1);
  const client = new ElasticLoadBalancingV2Client({
    endpoint: t.world.aws.endpoint,
    region: "ap-southeast-2",
    credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "test-secret" },
  });
  try {
    for (const g of t.world.aws.control.state().targetGroups) {
      await client.send(
        new ModifyTargetGroupCommand({ TargetGroupArn: g.arn, HealthCheckIntervalSeconds: 5, HealthCheckTimeoutSeconds: 4, UnhealthyThresholdCount: 3 }),
      );
    }
  } finally {
    client.destroy();
  }
}
