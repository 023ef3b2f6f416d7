// The seed's production before bluegreen (sandbox up --legacy): bot-legacy on port 5000, served by an
// unlabelled telegram-bot per host that set the webhook itself. The first release adopts it (0 lost),
// a rollback returns to it (0 lost), a second release adopts it again. Local transport.
import { AddTagsCommand, ElasticLoadBalancingV2Client, RemoveTagsCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adoptRollbackRelease, checkStatusBefore, expectLegacyServing, expectOnUnmanaged, startLegacyWorld } from "../helpers/adoption-scenario.js";
import { expectExit, stopWorld } from "../helpers/assertions.js";
import type { TestWorld } from "../helpers/sandbox-env.js";

let t: TestWorld;
beforeAll(async () => {
  t = await startLegacyWorld("legacy-group", { firstHost: 200 });
}, 60_000);
afterAll(async () => {
  await stopWorld(t);
});

describe("adoption of a production on a legacy target group (local transport)", { timeout: 300_000 }, () => {
  it("status shows the unmanaged release as live, with its target group and containers", async () => {
    await checkStatusBefore(t);
  });

  it("a listener whose other tags leave no room for the run's: refused in preflight (exit 1), counts and fix named, nothing moved", async () => {
    const elb = new ElasticLoadBalancingV2Client({
      endpoint: t.world.aws.endpoint,
      region: "ap-southeast-2",
      credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "test-secret" },
    });
    // The adoption writes 10 at its peak (7 in-flight, 2 unmanaged, environment): 41 others make 51.
    const keys = Array.from({ length: 41 }, (_, i) => `team:cost-${i}`);
    await elb.send(new AddTagsCommand({ ResourceArns: [t.world.listenerArn], Tags: keys.map((Key) => ({ Key, Value: "x" })) }));
    try {
      const r = await t.cli(["release", "itest", "--image", "v2", "--json"]);
      expectExit(r, 1);
      expect(r.result?.error).toBe("the listener carries 41 tags and this release needs 10 more at once (51), but ELBv2 allows 50 per listener (TooManyTags)");
      expect(String(r.result?.remedy)).toContain(`aws elbv2 remove-tags --resource-arns ${t.world.listenerArn} --tag-keys team:cost-0;`);
      await expectOnUnmanaged(t);
      await expectLegacyServing(t);
      const s = t.world.aws.control.state();
      expect(Object.keys(s.listeners.find((l) => l.arn === t.world.listenerArn)?.tags ?? {}).filter((k) => k.startsWith("bluegreen:"))).toEqual([]);
    } finally {
      await elb.send(new RemoveTagsCommand({ ResourceArns: [t.world.listenerArn], TagKeys: keys }));
      elb.destroy();
    }
  });

  it("adopts it on blue, rolls back to it, releases again: 0 updates lost", async () => {
    await adoptRollbackRelease(t, "blue");
  });
});
