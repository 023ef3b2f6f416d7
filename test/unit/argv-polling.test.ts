// A poller's docker run: labelled bluegreen.mode=polling (what observe reads back), and without a
// health check it serves no HTTP, so nothing is published. Its state file path on the first host.
import { describe, expect, it } from "vitest";
import { hostStatePath, parseState } from "../../src/orchestrator/host-state.js";
import { runArgv } from "../../src/orchestrator/stage.js";
import { ctxFor, GOAL } from "../fakes/argv-ctx.js";

describe("polling argv", () => {
  it("docker run of a poller without a health check: mode label, no --publish", () => {
    const ctx = ctxFor();
    ctx.settings = {
      ...ctx.settings,
      mode: "polling",
      hasLoadBalancer: false,
      hostPorts: { blue: 0, green: 0 },
      container: { ...ctx.settings.container, port: 0, health: undefined },
    };
    expect(runArgv(ctx, { ...GOAL, mode: "polling" })).toEqual([
      "docker",
      "run",
      "--detach",
      "--name",
      "telegram-bot-green",
      "--label",
      "bluegreen.environment=production",
      "--label",
      "bluegreen.colour=green",
      "--label",
      "bluegreen.release=r2",
      "--label",
      `bluegreen.image=${GOAL.image}`,
      "--label",
      "bluegreen.mode=polling",
      "--env-file",
      "/etc/bluegreen/env/production/telegram-bot-green.env",
      "--memory",
      `${400 * 2 ** 20}b`,
      "--restart",
      "unless-stopped",
      GOAL.image,
    ]);
  });

  it("a poller with a health check publishes its port like a webhook bot", () => {
    const ctx = ctxFor();
    ctx.settings = { ...ctx.settings, mode: "polling" };
    const argv = runArgv(ctx, { ...GOAL, mode: "polling" });
    expect(argv.slice(argv.indexOf("--publish"), argv.indexOf("--publish") + 2)).toEqual(["--publish", "5002:5000"]);
  });

  it("the release state lives next to the history on the first host, as flat JSON", () => {
    expect(hostStatePath("/var/lib/bluegreen/", "prod")).toBe("/var/lib/bluegreen/prod/release-state.json");
    expect(parseState("")).toEqual({});
    expect(parseState('{"bluegreen:live-colour":"blue","n":1}')).toEqual({ "bluegreen:live-colour": "blue" });
    expect(() => parseState("[1]")).toThrow("the release state file is not a JSON object");
  });
});
