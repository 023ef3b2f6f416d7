// The scale bench's count of targets the gates saw unhealthy (bench/scale.ts): each is a port that
// went dark across two ALB health checks during the stage, and costs the release the ALB's healthy
// threshold; counted once per target, from the CLI's --json gate messages only.
import { describe, expect, it } from "vitest";
import { unhealthyTargets } from "../../bench/scale.js";

const gate = (message: string) => ({ type: "step", step: "gates", status: "info", message, colour: "blue" });

describe("unhealthyTargets", () => {
  it("counts distinct targets reported unhealthy in the gates", () => {
    const events = [
      { type: "step", step: "gates", status: "start", colour: "blue" },
      gate("target i-31d59d4c1d8242814:5001 is unhealthy (Target.FailedHealthChecks: Health checks failed)"),
      gate("target i-31d59d4c1d8242814:5001 is unhealthy (Target.FailedHealthChecks: Health checks failed)"),
      gate("target i-c107ab5742476be70:5001 is unhealthy (Target.Timeout: Request timed out)"),
      gate("target i-0fe4c550181f7058d:5002 is initial (Elb.InitialHealthChecking: Initial health checks in progress)"),
      gate("healthy 1/2"),
      { type: "step", step: "bake", status: "info", message: "target i-aaaa:5001 is unhealthy (Target.FailedHealthChecks: Health checks failed)" },
    ];
    expect(unhealthyTargets(events)).toBe(2);
  });

  it("is 0 for a release whose targets stayed healthy", () => {
    expect(unhealthyTargets([gate("healthy 1/2"), { type: "result", outcome: "released" }])).toBe(0);
  });
});
