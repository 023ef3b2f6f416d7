// Issue #18 case 6: the staging/production guard compares what the files resolve to, not how they
// spell it. Two environments whose files differ only in aws.profile but reach the same listener
// (same ARN once resolved) are refused, as are a shared bot (getMe id) or webhook URL.
import { describe, expect, it } from "vitest";
import { resolvedIdentity, sharedIdentity } from "../../src/orchestrator/identity.js";
import { fakeEnvironment } from "../fakes/release-world.js";

describe("cross-environment rules by resolved identity", () => {
  it("the same listener reached through another profile is one listener", async () => {
    const production = fakeEnvironment();
    const staging = fakeEnvironment();
    staging.ctx.settings.environment = "staging";
    staging.ctx.settings.webhook.urls = { blue: "https://staging.example.com/tg/blue", green: "https://staging.example.com/tg/green" };
    // Same bot id from getMe on both (the fake bot): also refused.
    const errors = sharedIdentity(await resolvedIdentity(production.ctx), await resolvedIdentity(staging.ctx));
    expect(errors).toEqual([
      "loadBalancer.listener: production and staging resolve to the same listener arn:listener/bot-alb; a release of one would move the other's traffic",
      "colours: production and staging share the target group arn:tg/bot-blue",
      "colours: production and staging share the target group arn:tg/bot-green",
      "telegram.botToken: production and staging use the same bot (id 123456789 from getMe); give each its own bot",
    ]);
  });

  it("webhook URLs are compared normalised (host case, default port)", async () => {
    const a = await resolvedIdentity(fakeEnvironment().ctx);
    const b = {
      ...a,
      environment: "staging",
      listenerArn: "arn:other",
      targetGroupArns: ["arn:x", "arn:y"],
      botId: 42,
      webhookUrls: ["https://BOT.example.com:443/telegram/blue", "https://z.example.com/g"].map((u) => new URL(u).href),
    };
    expect(sharedIdentity(a, b)).toEqual(["telegram.webhook.url: production and staging share the webhook URL https://bot.example.com/telegram/blue"]);
  });

  it("independent environments share nothing", async () => {
    const a = await resolvedIdentity(fakeEnvironment().ctx);
    expect(
      sharedIdentity(a, {
        environment: "staging",
        listenerArn: "arn:l2",
        targetGroupArns: ["arn:t3", "arn:t4"],
        botId: 7,
        webhookUrls: ["https://s.example.com/b", "https://s.example.com/g"],
      }),
    ).toEqual([]);
  });
});
