// Issue #18 case 3 (and the tag half of case 6): the listener's tags are untrusted input. Only a
// digest is read from them, the repository is always container.image's, the digest must agree with
// the hosts (labels or history) before anything runs, tags carry the environment's name, and
// status warns about tags bluegreen did not write. Also, on the same world: a refused bot token (case 7).
import { describe, expect, it } from "vitest";
import { exitCodeOf } from "../../src/cli/exit-codes.js";
import { encodeRef } from "../../src/domain/tags.js";
import { ConfigError } from "../../src/errors.js";
import { release } from "../../src/orchestrator/release.js";
import { rollback } from "../../src/orchestrator/rollback.js";
import { status } from "../../src/orchestrator/status.js";
import { UntrustedTagError } from "../../src/orchestrator/tag-trust.js";
import { fakeEnvironment, imageOf, REPO } from "../fakes/release-world.js";

const EVIL = `evil.example.com/bot@sha256:${"e".repeat(64)}`;

/** Green r2 live, blue r1 previous (warm or gone); r1 and r2 in the history. */
function world(blue: "warm" | "gone") {
  const env = fakeEnvironment();
  const { hosts, lb, groups, telegram, settings, runOn } = env;
  for (const h of hosts) {
    runOn(h, "green", "r2", imageOf("2"));
    if (blue === "warm") runOn(h, "blue", "r1", imageOf("1"));
  }
  void lb.registerTargets(
    groups.green.arn,
    hosts.map((h) => ({ id: h.instanceId, port: 5002 })),
  );
  void lb.registerTargets(
    groups.blue.arn,
    hosts.map((h) => ({ id: h.instanceId, port: 5001 })),
  );
  lb.forward = [
    { targetGroupArn: groups.green.arn, weight: 1 },
    { targetGroupArn: groups.blue.arn, weight: 0 },
  ];
  lb.tags = {
    ...encodeRef("live", { colour: "green", releaseId: "r2", image: imageOf("2") }),
    ...encodeRef("previous", { colour: "blue", releaseId: "r1", image: imageOf("1") }),
    "bluegreen:verified": "r2",
  };
  void telegram.setWebhook({ url: settings.webhook.urls.green, maxConnections: 40 });
  env.recordHistory("r1", imageOf("1"));
  env.recordHistory("r2", imageOf("2"));
  return env;
}

const hostCommands = (env: ReturnType<typeof world>): string[] => env.hosts.flatMap((h) => h.log.map((a) => a.join(" ")));

describe("listener tags are untrusted input", () => {
  it("a previous-image of another registry and digest is refused with exit 3 naming who could have written it; nothing is pulled, removed or moved", async () => {
    const env = world("gone");
    env.lb.tags["bluegreen:previous-image"] = EVIL;
    const e = await rollback(env.ctx, { lockWaitMs: 0, runId: "x" }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(UntrustedTagError);
    expect(exitCodeOf(e)).toBe(3);
    expect(String((e as Error).message)).toMatch(
      /bluegreen:previous-image .*no container on the hosts and no history record knows that digest.*elasticloadbalancing:AddTags on arn:listener\/bot-alb/,
    );
    expect(hostCommands(env).filter((c) => /docker (pull|run|rm|stop)/.test(c))).toEqual([]);
    expect(env.lb.forward[0]).toEqual({ targetGroupArn: env.groups.green.arn, weight: 1 });
    expect(env.telegram.info.url).toBe(env.settings.webhook.urls.green);
  });

  it("a digest that disagrees with the warm containers' labels is refused before traffic moves", async () => {
    const env = world("warm");
    env.lb.tags["bluegreen:previous-image"] = `${REPO}@sha256:${"e".repeat(64)}`;
    const e = await rollback(env.ctx, { lockWaitMs: 0, runId: "x" }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(UntrustedTagError);
    expect(String((e as Error).message)).toContain(`its containers on the hosts are labelled sha256:${"1".repeat(64)}`);
    expect(env.lb.forward[0]).toEqual({ targetGroupArn: env.groups.green.arn, weight: 1 });
  });

  it("another registry with the right digest: only the digest is used, with container.image's repository", async () => {
    const env = world("gone");
    env.lb.tags["bluegreen:previous-image"] = `evil.example.com/bot@sha256:${"1".repeat(64)}`;
    const r = await rollback(env.ctx, { lockWaitMs: 0, runId: "x" });
    expect(r.mode).toBe("cold");
    expect(r.image).toBe(imageOf("1"));
    const pulls = hostCommands(env).filter((c) => c.startsWith("docker pull") || c.startsWith("docker run"));
    expect(pulls.length).toBeGreaterThan(0);
    expect(pulls.join("\n")).not.toContain("evil.example.com");
    expect(env.lb.tags["bluegreen:live-image"]).toBe(imageOf("1"));
  });

  it("a malformed value refuses before the warm previous containers are touched", async () => {
    const env = world("warm");
    env.lb.tags["bluegreen:previous-image"] = "not an image; rm -rf /";
    const e = await rollback(env.ctx, { lockWaitMs: 0, runId: "x" }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(UntrustedTagError);
    expect(String((e as Error).message)).toContain("names no image digest");
    expect(hostCommands(env).filter((c) => /docker (pull|run|rm|stop)/.test(c))).toEqual([]);
    for (const h of env.hosts) expect(h.containers.get("telegram-bot-blue")?.running).toBe(true);
  });

  it("status warns about tags bluegreen did not write", async () => {
    const env = world("warm");
    env.lb.tags["bluegreen:previous-image"] = EVIL;
    env.lb.tags["bluegreen:owner"] = "mallory";
    const s = await status(env.ctx);
    expect(s.tagWarnings).toEqual([
      expect.stringMatching(/^tag bluegreen:owner was not written by bluegreen/),
      expect.stringMatching(
        /^tag bluegreen:previous-image="evil\.example\.com\/bot@sha256:e+" is not 123456789012\.dkr\.ecr\.ap-southeast-2\.amazonaws\.com\/telegram-bot@sha256:<digest>/,
      ),
    ]);
    const clean = await status(world("warm").ctx);
    expect(clean.tagWarnings).toEqual([]);
  });

  it("tags carry the environment's name; a listener holding another environment's state is a config error that touches nothing", async () => {
    const env = world("warm");
    const r = await release(env.ctx, { imageRef: `${REPO}:v3`, releaseId: "r3", bakeMs: 20, lockWaitMs: 0, allowUnhealthyLive: false });
    expect(r.outcome).toBe("released");
    expect(env.lb.tags["bluegreen:environment"]).toBe("production");

    const other = world("warm");
    other.lb.tags["bluegreen:environment"] = "staging";
    const before = JSON.stringify(other.lb.tags);
    const e = await release(other.ctx, { imageRef: `${REPO}:v3`, releaseId: "r3", bakeMs: 20, lockWaitMs: 0, allowUnhealthyLive: false }).catch(
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(ConfigError);
    expect(exitCodeOf(e)).toBe(64);
    expect(String((e as Error).message)).toMatch(/carries the release state of environment "staging".*two environments on one listener/);
    expect(JSON.stringify(other.lb.tags)).toBe(before);
    expect(hostCommands(other).filter((c) => /docker (pull|run|rm|stop)/.test(c))).toEqual([]);
  });
});

describe("a wrong or revoked bot token (#18 case 7)", () => {
  it("the first Telegram call's 401 is exit 1 naming telegram.botToken; nothing is touched", async () => {
    const env = world("warm");
    const before = JSON.stringify(env.lb.tags);
    env.telegram.getWebhookInfo = async () => {
      throw Object.assign(new Error("Telegram getWebhookInfo: 401 Unauthorized"), { errorCode: 401 });
    };
    const e = await release(env.ctx, { imageRef: `${REPO}:v3`, releaseId: "r3", bakeMs: 20, lockWaitMs: 0, allowUnhealthyLive: false }).catch(
      (x: unknown) => x,
    );
    expect(exitCodeOf(e)).toBe(1);
    expect(String((e as Error).message)).toContain(
      "Telegram refused the bot token (Telegram getWebhookInfo: 401 Unauthorized): telegram.botToken is wrong or was revoked",
    );
    expect(JSON.stringify(env.lb.tags)).toBe(before);
    expect(hostCommands(env).filter((c) => /docker (pull|run|rm|stop)/.test(c))).toEqual([]);
  });
});
