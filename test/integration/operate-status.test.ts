// status as a drift detector: consistent -> 0; the webhook moved by hand to the other colour -> 3
// with the exact problem; rollback repairs it to the recorded live release; history lists newest first; the lock commands.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectExit, expectLive, listenerForward, stopWorld, webhookInfo, webhookUrlOf } from "../helpers/assertions.js";
import { BOT_TOKEN, startTestWorld, type TestWorld } from "../helpers/sandbox-env.js";

let t: TestWorld;
beforeAll(async () => {
  t = await startTestWorld({ firstHost: 70 });
});
afterAll(async () => {
  await stopWorld(t);
});

async function setWebhookByHand(url: string): Promise<void> {
  const res = await fetch(`${t.world.telegram.url}/bot${BOT_TOKEN}/setWebhook`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ url }),
  });
  expect(((await res.json()) as { ok: boolean }).ok).toBe(true);
}

const statusJson = async () => {
  const r = await t.cli(["status", "itest", "--json"]);
  return { code: r.code, s: r.events[0] as Record<string, unknown>, r };
};

// The first test runs two whole releases: on a loaded 2-core box that is past the 60 s default.
describe("status, drift, history and the lock", { timeout: 150_000 }, () => {
  it("status exits 0 and is consistent after v1 and v2", async () => {
    expectExit(await t.cli(["release", "itest", "--image", "v1", "--json"]), 0);
    expectExit(await t.cli(["release", "itest", "--image", "v2", "--json"]), 0);
    const { code, s, r } = await statusJson();
    expect(code, r.stderr).toBe(0);
    expect(s).toMatchObject({
      environment: "itest",
      live: "green",
      liveByListener: "green",
      consistent: true,
      problems: [],
      releaseInProgress: null,
      lock: null,
    });
  });

  it("a webhook moved by hand to blue is drift: exit 3 naming both switches", async () => {
    await setWebhookByHand(webhookUrlOf(t, "blue"));
    const { code, s } = await statusJson();
    expect(code).toBe(3);
    expect(s).toMatchObject({ liveByListener: "green", consistent: false, problems: ["the listener sends traffic to green but the webhook points at blue"] });
    expect(s.webhook).toMatchObject({ url: webhookUrlOf(t, "blue"), colour: "blue" });
    const text = await t.cli(["status", "itest"]);
    expect(text.code).toBe(3);
    expect(text.stdout + text.stderr).toContain("the listener sends traffic to green but the webhook points at blue");
  });

  it("rollback repairs the drift back to the recorded live release (green), status 0 again", async () => {
    const r = await t.cli(["rollback", "itest", "--json"]);
    expectExit(r, 0);
    expect(r.result).toMatchObject({
      command: "rollback",
      outcome: "rolled-back",
      colour: "green",
      from: null,
      mode: "repaired-drift",
      steps: ["repair-drift"],
    });
    await expectLive(t, "green");
    const { code, s } = await statusJson();
    expect(code).toBe(0);
    expect(s).toMatchObject({ live: "green", consistent: true, problems: [] });
  });

  it("history --json lists releases and the rollback newest first", async () => {
    const r = await t.cli(["history", "itest", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const records = r.result?.records as { kind: string; colour: string; from: string | null }[];
    expect(records.map((x) => [x.kind, x.colour, x.from])).toEqual([
      ["rollback", "green", null],
      ["release", "green", "blue"],
      ["release", "blue", null],
    ]);
  });

  it("lock status says free; lock release on a free lock exits 0 and says so (--json: one result line with outcome and exitCode)", async () => {
    const s = await t.cli(["lock", "status", "itest"]);
    expect(s.code, s.stderr).toBe(0);
    expect(s.stdout).toContain("itest: the lock is free");
    const sj = await t.cli(["lock", "status", "itest", "--json"]);
    expect(sj.stdout.trim().split("\n")).toHaveLength(1);
    expect(sj.result).toEqual({ type: "result", command: "lock", action: "status", outcome: "free", exitCode: 0, environment: "itest", lock: null });
    const rel = await t.cli(["lock", "release", "itest"]);
    expect(rel.code, rel.stderr).toBe(0);
    expect(rel.stdout).toContain("itest: the lock is already free");
    // review s9 F9: it printed the human line on stdout under --json.
    const rj = await t.cli(["lock", "release", "itest", "--json"]);
    expect(rj.code, rj.stderr).toBe(0);
    expect(rj.stdout.trim().split("\n")).toHaveLength(1);
    expect(JSON.parse(rj.stdout)).toEqual({
      type: "result",
      command: "lock",
      action: "release",
      outcome: "already-free",
      exitCode: 0,
      environment: "itest",
      released: null,
    });
    expect(listenerForward(t)).toBe("green");
    expect((await webhookInfo(t)).url).toBe(webhookUrlOf(t, "green"));
  });

  it("EC2 refusing DescribeInstances (listed on status's EC2 thread): exit 1 with EC2's code and text, in JSON and as text", async () => {
    const refusal = { code: "UnauthorizedOperation", message: "You are not authorized to perform this operation.", httpStatus: 403 };
    t.world.aws.control.addFault({ action: "DescribeInstances", kind: "error", times: 2, ...refusal });
    const error = "cannot list the EC2 instances: EC2 DescribeInstances: UnauthorizedOperation: You are not authorized to perform this operation.";
    const r = await t.cli(["status", "itest", "--json"]);
    expectExit(r, 1);
    expect(r.result).toMatchObject({ command: "status", exitCode: 1, error, remedy: "check hosts.ec2 and the AWS credentials" });
    const text = await t.cli(["status", "itest"]);
    expect(text.code).toBe(1);
    expect(text.stderr).toContain(`✖ ${error}\n  next: check hosts.ec2 and the AWS credentials\n`);
  });
});
