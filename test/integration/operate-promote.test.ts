// promote FROM TO between two sandbox worlds (each its own ALB, EC2 and Telegram emulators): TO's
// file sits next to FROM's, so one --config-dir (and one sandbox runtime + registry) serves both.
// Refusals: FROM never released, FROM mid-release. Digest copying: moving FROM's tag after its
// release must not change what promote deploys.
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { AddTagsCommand, ElasticLoadBalancingV2Client, RemoveTagsCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeInFlight } from "../../src/domain/tags.js";
import { retagSandboxImage } from "../../src/sandbox/runtime/index.js";
import { expectExit, stopWorld } from "../helpers/assertions.js";
import { startTestWorld, type TestWorld, WEBHOOK_SECRET } from "../helpers/sandbox-env.js";

const BOT2_TOKEN = "7000000003:TEST-bot-token-integration-bbbbbbbbbbbb";
let t: TestWorld;
let t2: TestWorld;
beforeAll(async () => {
  t = await startTestWorld({ firstHost: 90 });
  // Its own region, as a staging and a production environment have their own ALB and target groups:
  // promote refuses two environments that resolve to the same listener or target group ARNs.
  t2 = await startTestWorld({ firstHost: 92, environment: "itest2", region: "ap-southeast-1" });
  // Distinct secret references: promote refuses two environments sharing one bot token reference.
  const yaml = (await readFile(t2.envFile, "utf8"))
    .replaceAll("ITEST_BOT_TOKEN", "ITEST2_BOT_TOKEN")
    .replaceAll("ITEST_WEBHOOK_SECRET", "ITEST2_WEBHOOK_SECRET");
  await writeFile(join(t.dir, "environments", "itest2.yaml"), yaml);
  // promote refuses two environments with one bot, so itest2 gets its own bot in world 2's Telegram.
  const res = await fetch(`${t2.world.telegram.url}/_control/bots`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ token: BOT2_TOKEN, id: 7000000003, username: "echo_itest2_bot" }),
  });
  expect(res.status).toBe(200);
  t.env.ITEST2_BOT_TOKEN = BOT2_TOKEN; // t.cli runs with this very object as its env
  t.env.ITEST2_WEBHOOK_SECRET = `${WEBHOOK_SECRET}-2`;
}, 120_000);
afterAll(async () => {
  await stopWorld(t);
  await stopWorld(t2);
});

const statusOf = async (env: string) => {
  const r = await t.cli(["status", env, "--json"]);
  return { code: r.code, s: r.events[0] as { liveRelease: { image: string; releaseId: string } | null; live: string | null; consistent: boolean } };
};

function elb(): ElasticLoadBalancingV2Client {
  return new ElasticLoadBalancingV2Client({
    region: "ap-southeast-2",
    endpoint: t.world.aws.endpoint,
    credentials: { accessKeyId: "AKIATEST", secretAccessKey: "test" },
  });
}

describe("promote", () => {
  it("refuses with exit 1 when FROM was never released", async () => {
    const r = await t.cli(["promote", "itest", "itest2"]);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout + r.stderr).toContain("itest has no live release to promote");
  });

  it("refuses the same environment twice with exit 64", async () => {
    const r = await t.cli(["promote", "itest", "itest"]);
    expect(r.code).toBe(64);
    expect(r.stdout + r.stderr).toContain("promote FROM TO needs two different environments");
  });

  it("copies FROM's live digest, not its tag (retagged after the release)", async () => {
    expectExit(await t.cli(["release", "itest", "--image", "v2", "--json"]), 0);
    const from = await statusOf("itest");
    expect(from.code).toBe(0);
    const image = from.s.liveRelease?.image ?? "";
    expect(image).toMatch(/^echo-bot@sha256:[0-9a-f]{64}$/);
    // Move the v2 tag to other content in the registry the CLI pulls from.
    const moved = await retagSandboxImage(t.world.runtimeDir, "echo-bot", "v2", "v3");
    expect(image.endsWith(moved)).toBe(false);
    const r = await t.cli(["promote", "itest", "itest2", "--json"]);
    expectExit(r, 0);
    expect(r.result).toMatchObject({
      command: "promote",
      environment: "itest2",
      outcome: "released",
      image,
      promotedFrom: { environment: "itest", releaseId: from.s.liveRelease?.releaseId },
    });
    const to = await statusOf("itest2");
    expect(to.code).toBe(0);
    expect(to.s.liveRelease?.image).toBe(image);
    for (const ip of t2.world.hostIps) {
      const port = to.s.live === "blue" ? 5001 : 5002;
      const h = await fetch(`http://${ip}:${port}/health`);
      expect(((await h.json()) as { version: string }).version).toBe("v2");
    }
  }, 180_000);

  it("refuses with exit 1 while FROM is mid-release (in-flight tags on its listener)", async () => {
    const tags = encodeInFlight({
      kind: "release",
      releaseId: "r-test-inflight",
      colour: "green",
      image: "echo-bot:v3",
      from: "blue",
      startedAt: new Date().toISOString(),
      phase: "staging",
    });
    const client = elb();
    try {
      await client.send(new AddTagsCommand({ ResourceArns: [t.world.listenerArn], Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) }));
      const r = await t.cli(["promote", "itest", "itest2"]);
      expect(r.code, r.stdout + r.stderr).toBe(1);
      expect(r.stdout + r.stderr).toContain("itest is in the middle of a release (r-test-inflight)");
      await client.send(new RemoveTagsCommand({ ResourceArns: [t.world.listenerArn], TagKeys: Object.keys(tags) }));
    } finally {
      client.destroy();
    }
  });
});
