// `plan` for a switch from polling names the listener move that frees the colour it stages, exactly
// when the release would make it (listenerBeforeSwitch), and not otherwise.
import { describe, expect, it } from "vitest";
import { switchSteps } from "../../src/cli/commands/plan-switch.js";
import type { SwitchSource } from "../../src/domain/switch.js";
import { settingsFor } from "../fakes/argv-ctx.js";

const FROM: SwitchSource = { colour: "green", releaseId: "r1", image: "bot@sha256:abc", mode: "polling" };

describe("plan of a polling -> webhook switch", () => {
  it("with the listener left on the staging colour: ModifyListener to the poller's group before staging", () => {
    const steps = switchSteps(settingsFor(), FROM, [], "", true);
    const move = steps.findIndex((s) => s.startsWith("ModifyListener -> bot-green (bot-blue referenced at weight 0)"));
    expect(move).toBeGreaterThan(0);
    expect(move).toBeLessThan(steps.findIndex((s) => s.startsWith("stage blue")));
  });

  it("otherwise no such step", () => {
    expect(switchSteps(settingsFor(), FROM, [], "").filter((s) => s.startsWith("ModifyListener"))).toEqual([]);
  });
});
