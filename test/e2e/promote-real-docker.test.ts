// promote between two environments on different real hosts: staging (host 0) and production
// (host 1), each with its own ALB and bot. Production must run exactly the digest staging baked,
// pulled by production's own engine from the registry. Then, in the same world (no second set of
// engines for CI to start), staging switches webhook -> polling -> webhook and rolls back to the
// poller, each under a steady update stream with 0 lost: the mode switch on a real engine.
import { readFile, writeFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectExit } from "../helpers/assertions.js";
import { engineContainer, expectLive, listenerForward, webhookUrl } from "../helpers/e2e-assert.js";
import { addEnvironment, type ExtraEnvironment } from "../helpers/e2e-environment.js";
import { type E2eWorld, startE2eWorld } from "../helpers/e2e-world.js";
import { pollingYaml } from "../helpers/polling-env.js";

const PROD_TOKEN = "7000000004:TEST-bot-token-e2e-production-bbbbbbbbbb";
let w: E2eWorld;
let prod: ExtraEnvironment;
beforeAll(async () => {
  w = await startE2eWorld({ hosts: 2, environment: "staging", envHosts: [0] });
  prod = await addEnvironment(w, { name: "production", onHosts: [1], botToken: PROD_TOKEN, secretPrefix: "E2E_PROD" });
}, 400_000);
afterAll(async () => {
  await w?.stop();
}, 120_000);

async function statusOf(env: string) {
  const r = await w.cli(["status", env, "--json"]);
  return {
    code: r.code,
    out: r.stdout + r.stderr,
    s: r.events[0] as { live: string | null; consistent: boolean; liveRelease: { image: string; releaseId: string } | null },
  };
}

describe("promote staging -> production on different hosts", () => {
  it("production runs staging's baked digest; each host runs only its own environment", async () => {
    expectExit(await w.cli(["release", "staging", "--image", "v2", "--json"]), 0);
    const from = await statusOf("staging");
    expect(from.code, from.out).toBe(0);
    const image = from.s.liveRelease?.image ?? "";
    expect(image).toMatch(new RegExp(`^${w.registry.address.replace(/\./g, "\\.")}/echo-bot@sha256:[0-9a-f]{64}$`));

    const r = await w.cli(["promote", "staging", "production", "--json"]);
    expectExit(r, 0);
    expect(r.result).toMatchObject({
      command: "promote",
      environment: "production",
      outcome: "released",
      image,
      promotedFrom: { environment: "staging", releaseId: from.s.liveRelease?.releaseId },
    });

    const to = await statusOf("production");
    expect(to.code, to.out).toBe(0);
    expect(to.s).toMatchObject({ live: "blue", consistent: true });
    expect(to.s.liveRelease?.image).toBe(image);
    const [h0, h1] = w.net.hosts;
    if (h0 === undefined || h1 === undefined) throw new Error("two hosts expected");
    // Production's engine pulled and runs the same bytes; staging's host got nothing from production.
    expect(engineContainer(h1, "echo-bot-blue")).toMatchObject({ running: true, variant: "v2", image });
    expect(h0.docker(["ps", "-a", "--filter", "label=bluegreen.environment=production", "--format", "{{.Names}}"])).toBe("");
    expect(h1.docker(["ps", "-a", "--filter", "label=bluegreen.environment=staging", "--format", "{{.Names}}"])).toBe("");
    const webhook = await fetch(`${prod.sandbox.telegram.url}/bot${PROD_TOKEN}/getWebhookInfo`);
    expect(((await webhook.json()) as { result: { url: string } }).result.url).toBe(`http://127.0.0.1:${prod.sandbox.albPort}/telegram/blue`);
  }, 300_000);
});

/** body() under a stream of 20 updates/s to staging's bot; every update must be confirmed (0 lost). */
async function streaming<T>(body: () => Promise<T>): Promise<T> {
  const id = await w.stream(20, 240_000);
  let out: T;
  try {
    out = await body();
  } finally {
    await w.stopStream(id);
  }
  expect(await w.lostUpdates()).toEqual([]);
  return out;
}

describe("mode switch on a real engine (staging, after the promote)", () => {
  it("webhook -> polling (v1 poller), polling -> webhook (v2): poller stopped and kept, webhook set; rollback to the poller; 0 lost each", async () => {
    const h = w.net.hosts[0];
    if (h === undefined) throw new Error("no host");
    const webhookYaml = await readFile(w.envFile, "utf8");
    const stagingStatus = async () => (await w.cli(["status", "staging", "--json"])).events[0];

    // The seed's option B first, so a poller runs: staging (v2 webhook on blue) becomes v1 polling on green.
    await writeFile(w.envFile, pollingYaml(webhookYaml));
    const toPolling = await streaming(() => w.cli(["release", "staging", "--image", "v1", "--json"]));
    expectExit(toPolling, 0);
    expect(toPolling.result).toMatchObject({ outcome: "released", colour: "green", from: "blue" });
    expect(await webhookUrl(w)).toBe("");
    expect(engineContainer(h, "echo-bot-green")).toMatchObject({ running: true, variant: "v1" });
    expect(engineContainer(h, "echo-bot-blue")).toMatchObject({ running: false });

    // polling -> webhook (the seed's recommended direction): staged on blue, listener, setWebhook, poller stopped.
    await writeFile(w.envFile, webhookYaml);
    const plan = await w.cli(["plan", "staging", "--image", "v2", "--json"]);
    expectExit(plan, 0);
    expect(plan.result).toMatchObject({ colour: "blue", live: "green", switch: { from: "polling", to: "webhook", colour: "green" } });
    expect(plan.result?.steps).toContainEqual(expect.stringMatching(/^ModifyListener -> bot-green \(bot-blue referenced at weight 0\)/));
    const toWebhook = await streaming(() => w.cli(["release", "staging", "--image", "v2", "--json"]));
    expectExit(toWebhook, 0);
    expect(toWebhook.result).toMatchObject({ outcome: "released", colour: "blue", from: "green" });
    // The switch to polling left the listener on blue (its rollback sets the webhook back there): with no
    // webhook set it carries nothing, so it goes to the poller's green first and blue is staged and gated.
    expect(toWebhook.events.filter((e) => e.step === "switch").map((e) => e.message)).toContainEqual(expect.stringMatching(/^listener -> green: /));
    expect(toWebhook.result?.steps).toEqual(["mark-staging", "stage", "gates", "mark-cutover", "cutover", "bake", "finalize"]);
    await expectLive(w, "blue");
    // The old poller is stopped, not removed: the rollback starts it again.
    expect(engineContainer(h, "echo-bot-green")).toMatchObject({ running: false, variant: "v1" });
    expect(engineContainer(h, "echo-bot-blue")).toMatchObject({ running: true, variant: "v2" });
    expect(await stagingStatus()).toMatchObject({ mode: "webhook", runningMode: "webhook", pendingSwitch: null, live: "blue", consistent: true });

    // Manual rollback to the poller: deleteWebhook (pending updates kept), poller started, webhook colour stopped.
    const back = await streaming(() => w.cli(["rollback", "staging", "--json"]));
    expectExit(back, 0);
    expect(back.result).toMatchObject({ outcome: "rolled-back", colour: "green", from: "blue" });
    expect(await webhookUrl(w)).toBe("");
    expect(listenerForward(w)).toBe("green");
    expect(engineContainer(h, "echo-bot-green")).toMatchObject({ running: true, variant: "v1" });
    expect(engineContainer(h, "echo-bot-blue")).toMatchObject({ running: false, variant: "v2" });
  }, 480_000);
});
