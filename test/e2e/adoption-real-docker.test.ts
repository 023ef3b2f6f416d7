// The first release on a production that runs without bluegreen, on real Docker engines over SSH:
// the team's own unlabelled container (a plain `docker run`, the bot set its webhook itself) serves
// through the listener's plain TargetGroupArn. Under a steady update stream: the release adopts it
// (0 lost), `rollback` returns to it (0 lost), a second release adopts it again; the legacy
// container is never touched. Two environments share the engines, the registry and the image, one
// host each: `e2e` forwards to a third group (bot-legacy, container telegram-bot on 5000), `blue`
// forwards to bot-blue itself (an unlabelled echo-bot-blue on 5001).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectExit } from "../helpers/assertions.js";
import { addEnvironment } from "../helpers/e2e-environment.js";
import { type LegacyEnv, layoutOf, receivingGroups, startLegacyContainers, underStream, webhookOf } from "../helpers/e2e-legacy.js";
import { type E2eWorld, startE2eWorld } from "../helpers/e2e-world.js";
import { BOT_TOKEN, WEBHOOK_SECRET } from "../helpers/sandbox-env.js";

const BLUE_TOKEN = "7000000006:TEST-bot-token-e2e-adopt-blue-cccccccccccc";
let w: E2eWorld;
let legacyGroup: LegacyEnv;
let blueGroup: LegacyEnv;

beforeAll(async () => {
  w = await startE2eWorld({ hosts: 2, envHosts: [0], legacy: "legacy-group" });
  const [h0, h1] = w.net.hosts;
  if (h0 === undefined || h1 === undefined) throw new Error("two hosts expected");
  const blue = await addEnvironment(w, { name: "blue", onHosts: [1], botToken: BLUE_TOKEN, secretPrefix: "E2E_BLUE", legacy: "blue-group" });
  const image = `${w.registry.address}/echo-bot:v1`;
  legacyGroup = {
    sandbox: w.sandbox,
    region: "ap-southeast-2",
    hosts: [h0],
    botToken: BOT_TOKEN,
    webhookSecret: WEBHOOK_SECRET,
    containerApiBase: w.containerApiBase,
    image,
  };
  blueGroup = {
    sandbox: blue.sandbox,
    region: "ap-southeast-1",
    hosts: [h1],
    botToken: BLUE_TOKEN,
    webhookSecret: blue.webhookSecret,
    containerApiBase: blue.containerApiBase,
    image,
  };
  await Promise.all([startLegacyContainers(legacyGroup), startLegacyContainers(blueGroup)]);
}, 400_000);
afterAll(async () => {
  await w?.stop();
}, 120_000);

/** The legacy container as the engine reports it: its id (it must never change) and whether it runs. */
function legacyContainers(e: LegacyEnv): string[] {
  const name = layoutOf(e).containerName;
  return e.hosts.map((h) => h.docker(["inspect", "--type", "container", "--format", "{{.Id}} {{.State.Running}} labels={{json .Config.Labels}}", name]).trim());
}

/** adopt (0 lost) -> rollback to the unmanaged release (0 lost) -> release again, legacy container untouched throughout. */
async function adoptRollbackRelease(env: string, e: LegacyEnv, colour: "blue" | "green"): Promise<void> {
  const l = layoutOf(e);
  const colourUrl = `http://127.0.0.1:${e.sandbox.albPort}/telegram/${colour}`;
  const before = legacyContainers(e);
  for (const c of before) {
    expect(c).toMatch(/^[0-9a-f]{64} true labels=/);
    expect(c).not.toContain("bluegreen.");
  }

  const plan = await w.cli(["plan", env, "--image", "v2", "--json"]);
  expectExit(plan, 0);
  expect(plan.result).toMatchObject({ colour, unmanaged: { targetGroupName: l.targetGroup } });

  const first = await underStream(e, () => w.cli(["release", env, "--image", "v2", "--json"]));
  expectExit(first.value, 0);
  expect(first.value.result).toMatchObject({ outcome: "released", colour, from: "unmanaged" });
  expect(first.lost).toEqual([]);
  expect(receivingGroups(e.sandbox)).toEqual([`bot-${colour}`]);
  expect(await webhookOf(e.sandbox, e.botToken)).toBe(colourUrl);
  expect(legacyContainers(e)).toEqual(before);

  const back = await underStream(e, () => w.cli(["rollback", env, "--json"]));
  expectExit(back.value, 0);
  expect(back.value.result).toMatchObject({ outcome: "rolled-back", mode: "unmanaged", colour: l.targetGroup, from: colour });
  expect(back.lost).toEqual([]);
  expect(receivingGroups(e.sandbox)).toEqual([l.targetGroup]);
  expect(await webhookOf(e.sandbox, e.botToken)).toBe(l.webhookUrl);
  expect(legacyContainers(e)).toEqual(before);

  const second = await underStream(e, () => w.cli(["release", env, "--image", "v2", "--json"]));
  expectExit(second.value, 0);
  expect(second.value.result).toMatchObject({ outcome: "released", colour, from: "unmanaged" });
  expect(second.lost).toEqual([]);
  expect(receivingGroups(e.sandbox)).toEqual([`bot-${colour}`]);
  expect(await webhookOf(e.sandbox, e.botToken)).toBe(colourUrl);
  expect(legacyContainers(e)).toEqual(before);
}

// The two environments share nothing but the engines' machine: they run side by side (half the wall time).
describe.concurrent("adoption of a production that runs without bluegreen, on real engines", () => {
  it("a third target group (bot-legacy, telegram-bot on 5000): adopt, roll back to it, release again; 0 lost", async () => {
    await adoptRollbackRelease("e2e", legacyGroup, "blue");
  }, 400_000);

  it("bot-blue itself with an unlabelled echo-bot-blue on 5001: staged on green, same story; 0 lost", async () => {
    await adoptRollbackRelease("blue", blueGroup, "green");
  }, 400_000);
});
