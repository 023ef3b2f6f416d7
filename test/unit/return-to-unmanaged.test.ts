// Returning to the unmanaged release (what served before bluegreen's first release), by the
// automatic rollback and by `bluegreen rollback`: the webhook goes back to its URL with the
// configured secret, max connections and allowed updates; it is read back after the return and put
// back if a bot moved it (the outcome only after that); the postRollback hook runs as after any rollback.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { release } from "../../src/orchestrator/release.js";
import { rollback } from "../../src/orchestrator/rollback.js";
import { buildWorld, type FakeWorld, LEGACY, LEGACY_URL, legacySpec } from "../fakes/adoption-world.js";

const OPTS = { imageRef: "v2", releaseId: "r2", bakeMs: 20, lockWaitMs: 0, allowUnhealthyLive: true };
const dir = mkdtempSync(join(tmpdir(), "bg-unmanaged-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Production before bluegreen: bot-legacy (port 5000) on both hosts, the webhook its own (max_connections 40). */
function legacyWorld(hookFile: string): FakeWorld {
  const w = buildWorld(legacySpec("telegram-bot"));
  w.ctx.settings.webhook = { ...w.ctx.settings.webhook, maxConnections: 77, allowedUpdates: ["message", "callback_query"] };
  const script =
    "require('fs').writeFileSync(process.argv[1], [process.env.BLUEGREEN_COLOUR, process.env.BLUEGREEN_PREVIOUS_COLOUR, process.env.BLUEGREEN_RELEASE_ID].join(' '))";
  w.ctx.settings.hooks = { postRollback: [process.execPath, "-e", script, hookFile], timeout: 10_000 };
  return w;
}

/** The legacy bot deletes the webhook once bluegreen's tags are cleared (i.e. after the return moved it back). */
function botDeletesWebhookAfterReturn(w: FakeWorld): void {
  const removeTags = w.lb.removeTags.bind(w.lb);
  w.lb.removeTags = async (arn, keys) => {
    await removeTags(arn, keys);
    if (keys.includes("bluegreen:unmanaged-target-group")) await w.telegram.deleteWebhook();
  };
}

function expectOnUnmanagedWithSettings(w: FakeWorld): void {
  expect(w.lb.forward.filter((f) => f.weight > 0).map((f) => f.targetGroupArn)).toEqual([LEGACY.arn]);
  expect(w.telegram.info).toMatchObject({ url: LEGACY_URL, maxConnections: 77, allowedUpdates: ["message", "callback_query"] });
  expect(w.telegram.secretToken).toBe(w.ctx.settings.webhook.secretToken);
}

describe("return to the unmanaged release", () => {
  it("automatic rollback of a failed first release: webhook back with the configured settings, read back and restored, postRollback ran", async () => {
    const hookFile = join(dir, "auto");
    const w = legacyWorld(hookFile);
    // Telegram reports delivery errors once the webhook points at the new colour: the bake fails.
    const setWebhook = w.telegram.setWebhook.bind(w.telegram);
    w.telegram.setWebhook = async (p) => {
      await setWebhook(p);
      if (p.url === w.ctx.settings.webhook.urls.blue)
        w.telegram.info = {
          ...w.telegram.info,
          lastErrorDate: Math.floor(w.ctx.clock.now() / 1000) + 1,
          lastErrorMessage: "Wrong response from the webhook: 500",
        };
    };
    botDeletesWebhookAfterReturn(w);
    const r = await release(w.ctx, OPTS);
    expect(r).toMatchObject({ outcome: "rolled-back", exitCode: 2, colour: "blue", from: "unmanaged" });
    expectOnUnmanagedWithSettings(w);
    expect(r.webhookRestored?.join("\n")).toContain(`the webhook was deleted (no webhook); bluegreen restored it to ${LEGACY_URL}`);
    expect(readFileSync(hookFile, "utf8")).toBe("bot-legacy blue unmanaged");
    expect(w.hosts.every((h) => h.containers.get("telegram-bot")?.running === true)).toBe(true);
  });

  it("`bluegreen rollback` after the adoption: same settings, read back after the return, postRollback ran", async () => {
    const hookFile = join(dir, "manual");
    const w = legacyWorld(hookFile);
    expect(await release(w.ctx, OPTS)).toMatchObject({ outcome: "released", colour: "blue", from: "unmanaged" });
    botDeletesWebhookAfterReturn(w);
    const r = await rollback(w.ctx, { lockWaitMs: 0, runId: "rb1" });
    expect(r).toMatchObject({ outcome: "rolled-back", mode: "unmanaged", colour: "bot-legacy", from: "blue" });
    expectOnUnmanagedWithSettings(w);
    expect(r.webhookRestored?.join("\n")).toContain(`the webhook was deleted (no webhook); bluegreen restored it to ${LEGACY_URL}`);
    expect(readFileSync(hookFile, "utf8")).toBe("bot-legacy blue unmanaged");
    expect(w.hosts.every((h) => h.containers.get("telegram-bot")?.running === true)).toBe(true);
  });
});
