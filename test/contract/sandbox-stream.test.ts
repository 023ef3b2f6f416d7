// The sandbox's end-to-end promise, without the orchestrator: 1,000 updates flow Telegram emulator
// -> ALB data plane -> two sample bots (blue and green) while the listener and the webhook move
// between the colours several times. Every update id is acknowledged at least once (0 lost), as
// both the emulator's delivery log and the bots' own records show; duplicates are counted.
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { promisify } from "node:util";
import { ElasticLoadBalancingV2Client, ModifyListenerCommand, RegisterTargetsCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import { afterAll, beforeAll, expect, it } from "vitest";
import { hostPaths, recordFile } from "../../src/sandbox/runtime/index.js";
import { type SandboxWorld, startSandboxWorld } from "../../src/sandbox/world.js";
import { requireBuild } from "../helpers/sandbox-env.js";
import { HOST_PREFIX, testHost } from "../helpers/test-net.js";
import { SANDBOX_TIMING } from "../helpers/world-timing.js";

const run = promisify(execFile);
const TOKEN = "7000000003:TEST-bot-token-stream-aaaaaaaaaaaaaaaaaa";
const SECRET = "TEST-stream-secret";
let w: SandboxWorld;
let elb: ElasticLoadBalancingV2Client;
const HOST = testHost(120);

async function docker(args: string[]): Promise<string> {
  const { stdout } = await run(`${w.binDir}/docker`, args, { env: { ...process.env, BLUEGREEN_SANDBOX_STATE: w.runtimeDir, BLUEGREEN_SANDBOX_HOST: HOST } });
  return stdout;
}

beforeAll(async () => {
  requireBuild();
  w = await startSandboxWorld({
    root: `/tmp/bluegreen-stream-${process.pid}`,
    hosts: 1,
    firstHost: 120,
    hostPrefix: HOST_PREFIX,
    botToken: TOKEN,
    awsTimeScale: 0.05,
    telegramTimeScale: 0.02,
    telegramDeliveryTimeoutMs: SANDBOX_TIMING.telegramDeliveryTimeoutMs,
  });
  elb = new ElasticLoadBalancingV2Client({ endpoint: w.aws.endpoint, region: "ap-southeast-2", credentials: { accessKeyId: "x", secretAccessKey: "x" } });
  const envFile = `${w.runtimeDir}/bot.env`;
  await import("node:fs/promises").then((fs) =>
    fs.writeFile(envFile, `TELEGRAM_BOT_TOKEN=${TOKEN}\nTELEGRAM_WEBHOOK_SECRET=${SECRET}\nTELEGRAM_API_BASE=${w.telegram.url}\n`),
  );
  for (const [colour, port] of [
    ["blue", 5001],
    ["green", 5002],
  ] as const) {
    await docker(["run", "--detach", "--name", `bot-${colour}`, "--env-file", envFile, "--publish", `${port}:5000`, "echo-bot:v1"]);
  }
  const state = w.aws.control.state() as unknown as { targetGroups: { arn: string; name: string }[]; instances: { instanceId: string }[] };
  const id = state.instances[0]?.instanceId ?? "";
  for (const tg of state.targetGroups) {
    await elb.send(new RegisterTargetsCommand({ TargetGroupArn: tg.arn, Targets: [{ Id: id, Port: tg.name === "bot-blue" ? 5001 : 5002 }] }));
  }
}, 60_000);

afterAll(async () => {
  elb?.destroy();
  await w?.stop();
  await import("node:fs/promises").then((fs) => fs.rm(`/tmp/bluegreen-stream-${process.pid}`, { recursive: true, force: true }));
});

it("loses none of 1,000 updates while both switches move between colours", async () => {
  const state = w.aws.control.state() as unknown as { targetGroups: { arn: string; name: string }[] };
  const arn = (name: string) => state.targetGroups.find((g) => g.name === name)?.arn ?? "";
  const api = (method: string, body: unknown) =>
    fetch(`${w.telegram.url}/bot${TOKEN}/${method}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) }).then(
      (r) => r.json(),
    );
  const moveTo = async (colour: "blue" | "green") => {
    const other = colour === "blue" ? "green" : "blue";
    await elb.send(
      new ModifyListenerCommand({
        ListenerArn: w.listenerArn,
        DefaultActions: [
          {
            Type: "forward",
            ForwardConfig: {
              TargetGroups: [
                { TargetGroupArn: arn(`bot-${colour}`), Weight: 1 },
                { TargetGroupArn: arn(`bot-${other}`), Weight: 0 },
              ],
            },
          },
        ],
      }),
    );
    const set = (await api("setWebhook", { url: `http://127.0.0.1:${w.albPort}/telegram/${colour}`, secret_token: SECRET })) as { ok: boolean };
    expect(set.ok).toBe(true);
  };
  await moveTo("blue");
  const { streamId } = (await fetch(`${w.telegram.url}/_control/streams`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ token: TOKEN, ratePerSecond: 100, count: 1000, chatIds: [1, 2, 3, 4, 5, 6, 7, 8] }),
  }).then((r) => r.json())) as { streamId: string };
  // Six moves while the stream runs (setWebhook allows one call per second per bot).
  for (const colour of ["green", "blue", "green", "blue", "green", "blue"] as const) {
    await new Promise((r) => setTimeout(r, 1300));
    await moveTo(colour);
  }
  const end = Date.now() + 60_000;
  let updates: { updateId: number; acknowledged: boolean }[] = [];
  for (;;) {
    const s = (await fetch(`${w.telegram.url}/_control/streams/${streamId}`).then((r) => r.json())) as { done: boolean };
    updates = (await fetch(`${w.telegram.url}/_control/updates?token=${encodeURIComponent(TOKEN)}`).then((r) => r.json())) as typeof updates;
    if ((s.done && updates.length === 1000 && updates.every((u) => u.acknowledged)) || Date.now() > end) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  expect(updates).toHaveLength(1000);
  expect(updates.filter((u) => !u.acknowledged).map((u) => u.updateId)).toEqual([]);

  // The bots' own records: every update id reached a bot; ids seen more than once are the duplicates.
  const seen = new Map<number, number>();
  for (const colour of ["blue", "green"]) {
    const text = await readFile(recordFile(hostPaths(w.runtimeDir, HOST), `bot-${colour}`), "utf8").catch(() => "");
    for (const line of text.split("\n").filter((l) => l !== "")) {
      const id = (JSON.parse(line) as { updateId: number }).updateId;
      seen.set(id, (seen.get(id) ?? 0) + 1);
    }
  }
  const ids = updates.map((u) => u.updateId);
  expect(ids.filter((id) => !seen.has(id))).toEqual([]);
  const duplicates = [...seen.values()].filter((n) => n > 1).length;
  const deliveries = (await fetch(`${w.telegram.url}/_control/deliveries?token=${encodeURIComponent(TOKEN)}`).then((r) => r.json())) as { url: string }[];
  // Both colours really took traffic.
  expect(deliveries.some((d) => d.url.includes("/telegram/blue"))).toBe(true);
  expect(deliveries.some((d) => d.url.includes("/telegram/green"))).toBe(true);
  console.log(`1000 updates, 0 lost, ${duplicates} delivered more than once, ${deliveries.length} delivery attempts`);
}, 120_000);
