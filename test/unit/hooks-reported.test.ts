// A reported hook is a visible step: start, each output line, ok/fail with the exact failure text.
import { describe, expect, it } from "vitest";
import type { Config } from "../../src/config/types.js";
import { runReportedHook } from "../../src/hooks/reported.js";
import type { StepEvent } from "../../src/ports.js";

const VARS = { environment: "production", colour: "green", fromColour: "blue", image: "bot:v2", releaseId: "r-2" };
const NODE = process.execPath;

function recorder(): { events: Omit<StepEvent, "type" | "at">[]; step(e: Omit<StepEvent, "type" | "at">): void } {
  const events: Omit<StepEvent, "type" | "at">[] = [];
  return { events, step: (e) => void events.push(e) };
}

describe("runReportedHook", () => {
  it("does nothing when the hook is not configured", async () => {
    const r = recorder();
    expect(await runReportedHook({ hooks: { timeout: 1000 } } as unknown as Config, "preRelease", VARS, r)).toBeNull();
    expect(r.events).toEqual([]);
  });

  it("reports start, output lines and ok", async () => {
    const r = recorder();
    const config = {
      hooks: { postRelease: [NODE, "-e", "console.log('backed up ' + process.env.BLUEGREEN_RELEASE_ID)"], timeout: 10_000 },
    } as unknown as Config;
    const result = await runReportedHook(config, "postRelease", VARS, r);
    expect(result?.code).toBe(0);
    expect(r.events.map(({ elapsedMs: _, ...e }) => e)).toEqual([
      { step: "hook:postRelease", status: "start", message: `${NODE} -e console.log('backed up ' + process.env.BLUEGREEN_RELEASE_ID)` },
      { step: "hook-output", status: "info", message: "postRelease | backed up r-2" },
      { step: "hook:postRelease", status: "ok", message: "exit 0" },
    ]);
  });

  it("reports a failure with the exit code", async () => {
    const r = recorder();
    const config = { hooks: { preRelease: [NODE, "-e", "console.error('disk full'); process.exit(4)"], timeout: 10_000 } } as unknown as Config;
    const result = await runReportedHook(config, "preRelease", VARS, r);
    expect(result?.code).toBe(4);
    expect(r.events.at(-1)).toMatchObject({
      step: "hook:preRelease",
      status: "fail",
      message: `the preRelease hook (${NODE} -e console.error('disk full'); process.exit(4)) exited with code 4; its last output:`,
    });
    expect(r.events[1]).toEqual({ step: "hook-output", status: "info", message: "preRelease | disk full" });
  });
});
