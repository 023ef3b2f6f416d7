// The first release on a production that runs without bluegreen, through the real CLI under a
// steady update stream: adoption, rollback to the unmanaged release, a second release. Shared by
// the local-transport, sshd and bot-blue variants (test/integration/adoption-*.test.ts).
import { expect } from "vitest";
import type { LegacyShape } from "../../src/sandbox/legacy.js";
import { type Colour, expectExit, expectLive, tolerantHealthChecks, webhookInfo, withStream } from "./assertions.js";
import { startTestWorld, type TestWorld, type WorldOptions } from "./sandbox-env.js";

export async function startLegacyWorld(shape: LegacyShape, o: WorldOptions & { firstHost: number }): Promise<TestWorld> {
  const t = await startTestWorld({ ...o, legacy: shape });
  await tolerantHealthChecks(t);
  return t;
}

/** Target groups that receive traffic (weight > 0), by name, read from the emulator (not the CLI). */
export function receivingGroups(t: TestWorld): string[] {
  const s = t.world.aws.control.state();
  const action = s.listeners.find((l) => l.arn === t.world.listenerArn)?.defaultActions[0];
  if (action === undefined || action.type !== "forward") return [];
  return action.targetGroups.filter((g) => g.weight > 0).map((g) => s.targetGroups.find((x) => x.arn === g.targetGroupArn)?.name ?? g.targetGroupArn);
}

/** The legacy container still answers on every host, with the version it always had. */
export async function expectLegacyServing(t: TestWorld): Promise<void> {
  const legacy = t.world.legacy;
  if (legacy === undefined) throw new Error("not a legacy world");
  for (const ip of t.world.hostIps) {
    const res = await fetch(`http://${ip}:${legacy.hostPort}/health`, { signal: AbortSignal.timeout(5_000) });
    expect(res.status).toBe(200);
  }
}

export async function expectOnUnmanaged(t: TestWorld): Promise<void> {
  const legacy = t.world.legacy;
  if (legacy === undefined) throw new Error("not a legacy world");
  expect(receivingGroups(t)).toEqual([legacy.targetGroup]);
  expect((await webhookInfo(t)).url).toBe(legacy.webhookUrl);
}

/** status before the first release: the unmanaged release is live, with its group and containers. */
export async function checkStatusBefore(t: TestWorld): Promise<void> {
  const legacy = t.world.legacy;
  if (legacy === undefined) throw new Error("not a legacy world");
  const r = await t.cli(["status", "itest", "--json"]);
  expect(r.code, r.stdout + r.stderr).toBe(0);
  const s = r.events[0] as Record<string, unknown>;
  expect(s.live).toBeNull();
  expect(s.listener).toMatchObject({ forwardsTo: [{ targetGroup: legacy.targetGroup, weight: 1 }] });
  const u = s.unmanaged as { role: string; targetGroupName: string; webhookUrl: string; containers: { name: string; hostPort: number }[] };
  expect(u).toMatchObject({ role: "live", targetGroupName: legacy.targetGroup, webhookUrl: legacy.webhookUrl });
  expect(u.containers.map((c) => [c.name, c.hostPort])).toEqual(t.world.hostIps.map(() => [legacy.containerName, legacy.hostPort]));
}

/** The whole story: adopt (0 lost), roll back to the unmanaged release (0 lost), release again. */
export async function adoptRollbackRelease(t: TestWorld, colour: Colour): Promise<void> {
  const legacy = t.world.legacy;
  if (legacy === undefined) throw new Error("not a legacy world");
  const plan = await t.cli(["plan", "itest", "--image", "v2", "--json"]);
  expectExit(plan, 0);
  expect(plan.result).toMatchObject({ colour, unmanaged: { targetGroupName: legacy.targetGroup } });

  const first = await withStream(t, () => t.cli(["release", "itest", "--image", "v2", "--json"]));
  expectExit(first, 0);
  expect(first.result).toMatchObject({ outcome: "released", colour, from: "unmanaged" });
  await expectLive(t, colour);
  await expectLegacyServing(t);

  const after = await t.cli(["status", "itest", "--json"]);
  expect(after.code, after.stdout + after.stderr).toBe(0);
  expect(after.events[0]).toMatchObject({ live: colour, consistent: true, unmanaged: { role: "previous", targetGroupName: legacy.targetGroup } });
  const history = await t.cli(["history", "itest", "--json"]);
  expect((history.result?.records as { adopted?: { targetGroup: string } }[])[0]?.adopted?.targetGroup).toBe(legacy.targetGroup);

  const back = await withStream(t, () => t.cli(["rollback", "itest", "--json"]));
  expectExit(back, 0);
  expect(back.result).toMatchObject({ outcome: "rolled-back", mode: "unmanaged", colour: legacy.targetGroup, from: colour });
  await expectOnUnmanaged(t);

  const second = await withStream(t, () => t.cli(["release", "itest", "--image", "v3", "--json"]));
  expectExit(second, 0);
  expect(second.result).toMatchObject({ outcome: "released", colour, from: "unmanaged" });
  await expectLive(t, colour);
  await expectLegacyServing(t);
}
