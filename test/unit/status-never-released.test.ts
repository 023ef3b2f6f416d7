// Issue #18 case 10: status on an environment nothing was released to is not "needs a human" and
// does not recommend `rollback` (there is nothing to roll back to): exit 0 and the release command.
import { describe, expect, it } from "vitest";
import { renderStatus } from "../../src/cli/commands/status.js";
import { status } from "../../src/orchestrator/status.js";
import { fakeEnvironment } from "../fakes/release-world.js";

describe("status on a never-released environment", () => {
  it("is consistent (exit 0) and points at release, not rollback", async () => {
    const env = fakeEnvironment();
    // A listener created by hand forwards to blue, where nothing runs; no bluegreen tags, no webhook.
    env.lb.forward = [{ targetGroupArn: env.groups.blue.arn, weight: 1 }];
    const s = await status(env.ctx);
    expect(s.neverReleased).toBe(true);
    expect(s.problems).toEqual([]);
    expect(s.consistent).toBe(true);
    const text = renderStatus(s).join("\n");
    expect(text).toContain("nothing has been released to production yet: `bluegreen release production --image <tag>`");
    expect(text).not.toContain("rollback");
  });
});
