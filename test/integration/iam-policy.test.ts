// Least privilege: every AWS call a release, a failed release, a rollback and the read commands
// make is in the documented policy (src/iam.ts, printed in the README).
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import {
  DescribeListenersCommand,
  DescribeRulesCommand,
  ElasticLoadBalancingV2Client,
  ModifyListenerCommand,
  ModifyRuleCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { afterAll, beforeAll, expect, it } from "vitest";
import { ALL_ACTIONS } from "../../src/iam.js";
import { REPO, startTestWorld, type TestWorld } from "../helpers/sandbox-env.js";

let t: TestWorld;
beforeAll(async () => {
  // With gates.alarms and gates.metrics set, a release reads CloudWatch too.
  t = await startTestWorld({ hosts: 1, firstHost: 110, gateExtras: "  alarms: [bot-5xx]\n  metrics: { maxTarget5xx: 0 }\n" });
  t.world.aws.control.setAlarm("bot-5xx", { state: "OK" });
}, 60_000);
afterAll(async () => {
  await t?.stop();
});

it("calls only the AWS actions of the documented IAM policy", async () => {
  t.world.aws.control.clearCalls();
  // Before the first release the listener may serve something else (a fixed response here, its
  // path rules too): neither colour's target group then names the load balancer, so the command
  // looks it up by name (DescribeLoadBalancers); once a colour is in a forward of the listener the
  // groups' LoadBalancerArns name it (#17).
  const elb = new ElasticLoadBalancingV2Client({
    endpoint: t.world.aws.endpoint,
    region: "ap-southeast-2",
    credentials: { accessKeyId: "sandbox", secretAccessKey: "sandbox" },
  });
  const listenerArn = t.world.aws.control.state().listeners[0]?.arn;
  if (listenerArn === undefined) throw new Error("the sandbox has a listener");
  const defaultActions = (await elb.send(new DescribeListenersCommand({ ListenerArns: [listenerArn] }))).Listeners?.[0]?.DefaultActions ?? [];
  const rules = ((await elb.send(new DescribeRulesCommand({ ListenerArn: listenerArn }))).Rules ?? []).filter((r) => r.IsDefault !== true);
  const fixed = [{ Type: "fixed-response" as const, FixedResponseConfig: { StatusCode: "503" } }];
  await elb.send(new ModifyListenerCommand({ ListenerArn: listenerArn, DefaultActions: fixed }));
  for (const r of rules) await elb.send(new ModifyRuleCommand({ RuleArn: r.RuleArn, Actions: fixed }));
  // The calls of this test's own setup above and below are not the tool's: only the command's count.
  t.world.aws.control.clearCalls();
  expect((await t.cli(["status", "itest"])).code).toBe(0);
  const unattached = t.world.aws.control.calls();
  expect(unattached.filter((c) => c.action === "DescribeLoadBalancers")).toHaveLength(1);
  await elb.send(new ModifyListenerCommand({ ListenerArn: listenerArn, DefaultActions: defaultActions }));
  for (const r of rules) await elb.send(new ModifyRuleCommand({ RuleArn: r.RuleArn, Actions: r.Actions }));
  elb.destroy();
  t.world.aws.control.clearCalls();
  const first = await t.cli(["release", "itest", "--image", "v1"]);
  expect(first.code, first.stderr).toBe(0);
  expect((await t.cli(["release", "itest", "--image", "v2"])).code).toBe(0);
  expect((await t.cli(["release", "itest", "--image", "crash-on-boot"])).code).toBe(1);
  expect((await t.cli(["rollback", "itest"])).code).toBe(0);
  expect((await t.cli(["status", "itest"])).code).toBe(0);
  expect((await t.cli(["history", "itest"])).code).toBe(0);
  expect((await t.cli(["lock", "status", "itest"])).code).toBe(0);
  const used = [
    ...new Set([...unattached, ...t.world.aws.control.calls()].map((c) => `${c.service === "elbv2" ? "elasticloadbalancing" : c.service}:${c.action}`)),
  ].sort();
  expect(used.filter((a) => !ALL_ACTIONS.includes(a))).toEqual([]);
  // Every action the tool needs is one it was seen to use: the policy has no spare permissions either.
  expect(ALL_ACTIONS.filter((a) => !used.includes(a))).toEqual([]);
  const readme = await readFile(join(REPO, "README.md"), "utf8");
  for (const a of ALL_ACTIONS) expect(readme).toContain(`"${a}"`);
}, 180_000);
