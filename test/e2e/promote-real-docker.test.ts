// promote between two environments on different real hosts: staging (host 0) and production
// (host 1), each with its own ALB and bot. Production must run exactly the digest staging baked,
// pulled by production's own engine from the registry.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectExit } from "../helpers/assertions.js";
import { engineContainer } from "../helpers/e2e-assert.js";
import { addEnvironment, type ExtraEnvironment } from "../helpers/e2e-environment.js";
import { type E2eWorld, startE2eWorld } from "../helpers/e2e-world.js";

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
