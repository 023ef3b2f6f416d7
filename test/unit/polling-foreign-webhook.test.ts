// A polling run deletes its bot's webhook at the handover (review s9, F2c). A webhook that is not
// this environment's own (another environment on the same bot token, or a deployment bluegreen
// never adopted) was deleted with no record, even by a release that then failed ("restored it to
// (no webhook)"), and no rollback could set it back. Now a polling release or rollback that finds
// one refuses on its first reading (exit 1), touching nothing: no host command that changes
// anything, no Telegram call that changes anything, the webhook read back as it was found.
import { describe, expect, it } from "vitest";
import { planExit, readForPlan } from "../../src/cli/commands/plan.js";
import { exitCodeOf } from "../../src/cli/exit-codes.js";
import { foreignWebhook } from "../../src/domain/foreign-webhook.js";
import { decodeTags } from "../../src/domain/tags.js";
import { PreflightError } from "../../src/errors.js";
import { observe } from "../../src/orchestrator/observe.js";
import { release } from "../../src/orchestrator/release.js";
import { rollback } from "../../src/orchestrator/rollback.js";
import { fakePollingEnvironment, REPO } from "../fakes/release-world.js";

const OPTS = { bakeMs: 20, lockWaitMs: 0, allowUnhealthyLive: false };
const OTHER = { url: "https://bot.example.com/telegram/blue", hasCustomCertificate: false, pendingUpdateCount: 3, maxConnections: 40 };
const READS = new Set(["version", "inspect", "ps", "image", "logs", "stats", "events"]);

function world() {
  const env = fakePollingEnvironment();
  const changes: string[] = [];
  const { telegram } = env;
  const set = telegram.setWebhook.bind(telegram);
  const del = telegram.deleteWebhook.bind(telegram);
  telegram.setWebhook = async (p) => {
    changes.push(`setWebhook ${p.url}`);
    await set(p);
  };
  telegram.deleteWebhook = async () => {
    changes.push("deleteWebhook");
    await del();
  };
  /** Docker commands that change a host (everything but reads) since the last call. */
  const dockerChanges = (): string[] =>
    env.hosts.flatMap((h) =>
      h.log
        .splice(0)
        .filter((a) => a[0] === "docker" && !READS.has(a[1] ?? ""))
        .map((a) => `${h.instanceId} docker ${a[1]}`),
    );
  return { env, changes, dockerChanges };
}

const refusal = (command: "release" | "rollback"): string =>
  `Telegram has a webhook set for this bot, ${OTHER.url}, that is not production's own: a polling ${command} deletes it (getUpdates fails while a webhook is set), which would stop whatever it serves, and no rollback could set it back; nothing was changed`;

describe("foreignWebhook", () => {
  it.each([
    ["", { blue: "", green: "" }, null],
    [OTHER.url, { blue: "", green: "" }, OTHER.url],
    [OTHER.url, { blue: "https://bot.example.com/telegram/green", green: OTHER.url }, null],
    [OTHER.url, { blue: "https://other.example.com/telegram/blue", green: "https://other.example.com/telegram/green" }, OTHER.url],
  ])("webhook %j, own URLs %j -> %j", (found, own, expected) => {
    expect(foreignWebhook(found, own)).toBe(expected);
  });
});

describe("a polling run that finds a webhook which is not its own", () => {
  it("a first polling release refuses with exit 1, touching nothing; the webhook is read back as found", async () => {
    const { env, changes, dockerChanges } = world();
    env.telegram.info = { ...OTHER };
    const e = await release(env.ctx, { ...OPTS, imageRef: `${REPO}:v1`, releaseId: "r1" }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(PreflightError);
    expect(exitCodeOf(e)).toBe(1);
    expect((e as PreflightError).message).toBe(refusal("release"));
    expect((e as PreflightError).remedy).toContain("give production its own bot and token variable");
    expect((e as PreflightError).remedy).toContain("release it in webhook mode first");
    expect((e as PreflightError).remedy).toContain("delete it yourself (Bot API deleteWebhook, pending updates kept)");
    expect(changes).toEqual([]);
    expect(dockerChanges()).toEqual([]);
    expect(env.hosts.map((h) => h.containers.size)).toEqual([0, 0]);
    expect(env.events.map((x) => x.step)).not.toContain("stage");
    expect(await env.telegram.getWebhookInfo()).toEqual(OTHER);
    // The lock was let go and no release state was written: once the webhook is gone, the release runs.
    expect(decodeTags((await env.ctx.lb.describeListener(env.ctx.listenerArn)).tags).inFlight).toBeNull();
    await env.telegram.deleteWebhook();
    const r = await release(env.ctx, { ...OPTS, imageRef: `${REPO}:v1`, releaseId: "r1" });
    expect(r.outcome).toBe("released");
  });

  it("a later polling release and a rollback refuse too, and the live poller keeps polling", async () => {
    const { env, changes, dockerChanges } = world();
    await release(env.ctx, { ...OPTS, imageRef: `${REPO}:v1`, releaseId: "r1" });
    await release(env.ctx, { ...OPTS, imageRef: `${REPO}:v2`, releaseId: "r2" });
    // Another environment on the same bot sets its webhook.
    env.telegram.info = { ...OTHER };
    changes.length = 0;
    dockerChanges();
    const live = () => env.hosts.map((h) => [h.containers.get("telegram-bot-blue")?.running, h.containers.get("telegram-bot-green")?.running]);
    expect(live()).toEqual([
      [false, true],
      [false, true],
    ]);
    const e = await release(env.ctx, { ...OPTS, imageRef: `${REPO}:v3`, releaseId: "r3" }).catch((x: unknown) => x);
    expect((e as PreflightError).message).toBe(refusal("release"));
    const rb = await rollback(env.ctx, { lockWaitMs: 0, runId: "rb" }).catch((x: unknown) => x);
    expect(rb).toBeInstanceOf(PreflightError);
    expect((rb as PreflightError).message).toBe(refusal("rollback"));
    expect(changes).toEqual([]);
    expect(dockerChanges()).toEqual([]);
    expect(live()).toEqual([
      [false, true],
      [false, true],
    ]);
    expect(await env.telegram.getWebhookInfo()).toEqual(OTHER);
    const tags = decodeTags((await env.ctx.lb.describeListener(env.ctx.listenerArn)).tags);
    expect(tags.live).toMatchObject({ releaseId: "r2", colour: "green" });
    expect(tags.inFlight).toBeNull();
  });

  it("its own webhook URL: a polling release that fails before its handover leaves it exactly as found", async () => {
    const { env, changes } = world();
    env.settings.webhook.urls = { blue: "https://bot.example.com/telegram/blue", green: "https://bot.example.com/telegram/green" };
    env.telegram.info = { ...OTHER };
    // The new poller crashes on boot.
    for (const h of env.hosts)
      h.onRun = (c) => {
        c.running = false;
        c.exits = [{ exitCode: 1, oom: false }];
      };
    const r = await release(env.ctx, { ...OPTS, imageRef: `${REPO}:v1`, releaseId: "r1" });
    expect(r).toMatchObject({ outcome: "failed", exitCode: 1, steps: ["mark-staging", "stage"] });
    expect(changes).toEqual([]);
    expect(await env.telegram.getWebhookInfo()).toEqual(OTHER);
  });

  it("its own webhook URL (a polling file that keeps telegram.webhook) is not refused: it is this environment's", async () => {
    const { env, changes } = world();
    env.settings.webhook.urls = { blue: "https://bot.example.com/telegram/blue", green: "https://bot.example.com/telegram/green" };
    env.telegram.info = { ...OTHER };
    const r = await release(env.ctx, { ...OPTS, imageRef: `${REPO}:v1`, releaseId: "r1" });
    expect(r.outcome).toBe("released");
    expect(changes).toEqual(["deleteWebhook"]);
  });
});

describe("plan (and release --dry-run) of a polling release that finds a webhook which is not its own (review2-s9 M3)", () => {
  it("reads the release's own refusal, word for word, and exits 1 as the release does; nothing changes", async () => {
    const { env, changes, dockerChanges } = world();
    env.telegram.info = { ...OTHER };
    const reading = await readForPlan(env.ctx, await observe(env.ctx));
    expect(reading.refusal).toBeInstanceOf(PreflightError);
    expect(reading.refusal?.message).toBe(refusal("release"));
    const released = (await release(env.ctx, { ...OPTS, imageRef: `${REPO}:v1`, releaseId: "r1" }).catch((x: unknown) => x)) as PreflightError;
    expect(reading.refusal?.remedy).toBe(released.remedy);
    expect(planExit(reading.refusal, [])).toBe(exitCodeOf(released));
    expect(planExit(reading.refusal, ["i-2 is unreachable"])).toBe(1);
    expect(changes).toEqual([]);
    expect(dockerChanges()).toEqual([]);
  });

  it("no webhook: no refusal, the plan exits 0", async () => {
    const { env } = world();
    const reading = await readForPlan(env.ctx, await observe(env.ctx));
    expect(reading.refusal).toBeNull();
    expect(planExit(reading.refusal, [])).toBe(0);
  });
});

describe("a webhook -> polling switch whose polling file dropped telegram.webhook (review2-s9 L1)", () => {
  it("refuses with the switch's precise text (keep telegram.webhook ...), not the foreign-webhook one; plan says the same; nothing moves", async () => {
    const { env, changes, dockerChanges } = world();
    // r1 serves in webhook mode on blue (no bluegreen.mode label) through the environment's old webhook.
    for (const h of env.hosts) env.runOn(h, "blue", "r1", `${REPO}@sha256:${"1".repeat(64)}`);
    env.telegram.info = { ...OTHER };
    dockerChanges();
    const e = await release(env.ctx, { ...OPTS, imageRef: `${REPO}:v2`, releaseId: "r2" }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(PreflightError);
    expect(exitCodeOf(e)).toBe(1);
    expect((e as PreflightError).message).toMatch(/^production switches from webhook to polling \(r1 runs in webhook mode on blue\)/);
    expect((e as PreflightError).remedy).toContain("keep loadBalancer, colours.*.targetGroup and telegram.webhook");
    const reading = await readForPlan(env.ctx, await observe(env.ctx));
    expect(reading.refusal?.message).toBe((e as PreflightError).message);
    expect(changes).toEqual([]);
    expect(dockerChanges()).toEqual([]);
    expect(await env.telegram.getWebhookInfo()).toEqual(OTHER);
  });
});
