// Mode switches through the pure decide: polling -> webhook (green webhook server from the blue
// poller r1) and webhook -> polling, each forward and back, switchSource reading what runs, and
// listenerBeforeSwitch: a switch back from polling after webhook -> polling (listener left behind).
import { describe, expect, it } from "vitest";
import { decide, type Goal, type Progress, type Snapshot } from "../../src/domain/decide.js";
import { colourMode, listenerBeforeSwitch, switchSource } from "../../src/domain/switch.js";
import type { ContainerFacts, HostFacts, InFlight } from "../../src/domain/types.js";
import { flight, IMAGE, OLD_REF, URLS } from "../fakes/decide-snapshot.js";

function c(colour: "blue" | "green", releaseId: string, mode: "webhook" | "polling", running: boolean): ContainerFacts {
  return {
    name: `bot-${colour}`,
    colour,
    releaseId,
    image: IMAGE,
    running,
    status: running ? "running" : "exited",
    exitCode: running ? 0 : 143,
    oomKilled: false,
    restartCount: 0,
    startedAt: null,
    mode,
  };
}

const PENDING: Progress = { gates: "pending", baked: false };
const GATED: Progress = { gates: "passed", baked: false };
const BAKED: Progress = { gates: "passed", baked: true };

/** One host; the listener on `on` (all of it), `webhook` set; the rest of the facts as every case here has them. */
function oneHost(o: {
  container: ContainerFacts | undefined;
  other: ContainerFacts;
  on: "blue" | "green";
  webhook: string;
  inFlight: InFlight | null;
  healthy?: boolean;
}): Snapshot {
  return {
    hosts: [{ instanceId: "i-1", container: o.container, other: o.other, registered: true, healthy: o.healthy ?? true }],
    traffic: {
      weights: o.on === "green" ? { blue: 0, green: 1 } : { blue: 1, green: 0 },
      foreignTargets: false,
      hasTargets: { blue: o.on === "blue", green: o.on === "green" },
      webhookUrl: o.webhook,
      webhookSettingsMatch: true,
    },
    urls: URLS,
    tags: { unmanaged: null, live: OLD_REF, previous: null, verified: null, inFlight: o.inFlight, previousWarmUntil: null },
  };
}

describe("polling -> webhook: green webhook release r2 from the blue poller r1", () => {
  const goal: Goal = { kind: "release", colour: "green", releaseId: "r2", image: IMAGE, from: "blue", switchFrom: "polling" };
  const snap = (o: { green?: ContainerFacts; blue?: ContainerFacts; webhook?: string; listener?: "green" | "none"; inFlight?: InFlight | null }): Snapshot => ({
    hosts: [{ instanceId: "i-1", container: o.green, other: o.blue ?? c("blue", "r1", "polling", true), registered: true, healthy: o.green?.running === true }],
    traffic: {
      weights: o.listener === "green" ? { blue: 0, green: 1 } : {},
      foreignTargets: false,
      hasTargets: { blue: false, green: true },
      webhookUrl: o.webhook ?? "",
      webhookSettingsMatch: true,
    },
    urls: URLS,
    tags: { unmanaged: null, live: OLD_REF, previous: null, verified: null, inFlight: o.inFlight ?? null, previousWarmUntil: null },
  });
  const staged = c("green", "r2", "webhook", true);

  it("stages, references and gates the webhook colour while the poller takes every update", () => {
    expect(decide(snap({}), goal, PENDING)).toEqual({ kind: "mark", phase: "staging" });
    expect(decide(snap({ inFlight: flight("release", "r2", "staging") }), goal, PENDING)).toEqual({ kind: "stage", instanceIds: ["i-1"] });
    expect(decide(snap({ green: staged, inFlight: flight("release", "r2", "staging") }), goal, PENDING)).toEqual({ kind: "reference" });
  });

  it("cuts over with the listener and setWebhook once gated", () => {
    const s = snap({ green: staged, listener: "none", inFlight: flight("release", "r2", "cutover") });
    s.traffic.weights = { green: 0 };
    expect(decide(s, goal, PENDING)).toEqual({ kind: "gates" });
    expect(decide(s, goal, GATED)).toEqual({ kind: "cutover", moveListener: true, moveWebhook: true });
  });

  it("a poller still running after the webhook moved is stopped by a cutover that moves nothing, before the bake", () => {
    const s = snap({ green: staged, listener: "green", webhook: URLS.green, inFlight: flight("release", "r2", "baking") });
    expect(decide(s, goal, GATED)).toEqual({ kind: "cutover", moveListener: false, moveWebhook: false });
    const stopped = snap({
      green: staged,
      blue: c("blue", "r1", "polling", false),
      listener: "green",
      webhook: URLS.green,
      inFlight: flight("release", "r2", "baking"),
    });
    expect(decide(stopped, goal, GATED)).toEqual({ kind: "bake" });
    expect(decide(stopped, goal, BAKED)).toEqual({ kind: "finalize" });
  });

  it("an ordinary webhook release keeps the previous colour warm (no switch: nothing stopped)", () => {
    const plain: Goal = { ...goal, switchFrom: undefined };
    const s = snap({
      green: staged,
      blue: c("blue", "r1", "webhook", true),
      listener: "green",
      webhook: URLS.green,
      inFlight: flight("release", "r2", "baking"),
    });
    expect(decide(s, plain, GATED)).toEqual({ kind: "bake" });
  });
});

describe("back to the poller (rollback of polling -> webhook)", () => {
  const back: Goal = { kind: "rollback", colour: "blue", releaseId: "r1", image: IMAGE, from: "green", mode: "polling", switchFrom: "webhook" };
  const snap = (blue: ContainerFacts, webhook: string, inFlight: InFlight | null, green = c("green", "r2", "webhook", true)): Snapshot =>
    oneHost({ container: blue, other: green, on: "green", webhook, inFlight });
  const rb = (phase: InFlight["phase"]): InFlight => ({ ...flight("rollback", "r1", phase), colour: "blue", from: "green" });

  it("starts the stopped poller first, gates it, then hands over: deleteWebhook and stop the webhook colour", () => {
    expect(decide(snap(c("blue", "r1", "polling", false), URLS.green, null), back, PENDING)).toEqual({ kind: "mark", phase: "staging" });
    expect(decide(snap(c("blue", "r1", "polling", false), URLS.green, rb("staging")), back, PENDING)).toEqual({ kind: "start", instanceIds: ["i-1"] });
    expect(decide(snap(c("blue", "r1", "polling", true), URLS.green, rb("staging")), back, PENDING)).toEqual({ kind: "gates" });
    expect(decide(snap(c("blue", "r1", "polling", true), URLS.green, rb("staging")), back, GATED)).toEqual({ kind: "mark", phase: "cutover" });
    expect(decide(snap(c("blue", "r1", "polling", true), URLS.green, rb("cutover")), back, GATED)).toEqual({
      kind: "cutover",
      moveListener: false,
      moveWebhook: true,
    });
  });

  it("resumed after the webhook was deleted but before the stop: stops the webhook colour; then gates the poller where it takes the updates, finalizes (no bake)", () => {
    expect(decide(snap(c("blue", "r1", "polling", true), "", rb("cutover")), back, PENDING)).toEqual({
      kind: "cutover",
      moveListener: false,
      moveWebhook: false,
    });
    const done = snap(c("blue", "r1", "polling", true), "", rb("baking"), c("green", "r2", "webhook", false));
    // A resumed run never saw this poller pass its gates.
    expect(decide(done, back, PENDING)).toEqual({ kind: "gates", whereTrafficIs: true });
    expect(decide(done, back, GATED)).toEqual({ kind: "finalize" });
  });
});

describe("webhook -> polling and back", () => {
  const goal: Goal = { kind: "release", colour: "green", releaseId: "r2", image: IMAGE, from: "blue", mode: "polling", switchFrom: "webhook" };
  const snap = (green: ContainerFacts | undefined, blue: ContainerFacts, webhook: string, inFlight: InFlight | null): Snapshot =>
    oneHost({ container: green, other: blue, on: "blue", webhook, inFlight });
  const web = c("blue", "r1", "webhook", true);

  it("stages the poller while the webhook is set, gates it, then deleteWebhook and stop the webhook colour", () => {
    expect(decide(snap(undefined, web, URLS.blue, flight("release", "r2", "staging")), goal, PENDING)).toEqual({ kind: "stage", instanceIds: ["i-1"] });
    const polling = c("green", "r2", "polling", true);
    expect(decide(snap(polling, web, URLS.blue, flight("release", "r2", "staging")), goal, PENDING)).toEqual({ kind: "gates" });
    expect(decide(snap(polling, web, URLS.blue, flight("release", "r2", "cutover")), goal, GATED)).toEqual({
      kind: "cutover",
      moveListener: false,
      moveWebhook: true,
    });
    const after = snap(polling, c("blue", "r1", "webhook", false), "", flight("release", "r2", "baking"));
    expect(decide(after, goal, GATED)).toEqual({ kind: "bake" });
  });

  it("rollback: the webhook colour restarted and gated, setWebhook back, then the poller stopped", () => {
    const back: Goal = { kind: "rollback", colour: "blue", releaseId: "r1", image: IMAGE, from: "green", switchFrom: "polling" };
    const rb = (phase: InFlight["phase"]): InFlight => ({ ...flight("rollback", "r1", phase), colour: "blue", from: "green" });
    const s = (blue: ContainerFacts, webhook: string, phase: InFlight["phase"], pollerRunning = true): Snapshot => ({
      hosts: [{ instanceId: "i-1", container: blue, other: c("green", "r2", "polling", pollerRunning), registered: true, healthy: blue.running }],
      traffic: {
        weights: { blue: 1, green: 0 },
        foreignTargets: false,
        hasTargets: { blue: true, green: false },
        webhookUrl: webhook,
        webhookSettingsMatch: true,
      },
      urls: URLS,
      tags: {
        unmanaged: null,
        live: { ...OLD_REF, colour: "green", releaseId: "r2" },
        previous: OLD_REF,
        verified: null,
        inFlight: rb(phase),
        previousWarmUntil: null,
      },
    });
    expect(decide(s(c("blue", "r1", "webhook", false), "", "staging"), back, PENDING)).toEqual({ kind: "start", instanceIds: ["i-1"] });
    expect(decide(s(c("blue", "r1", "webhook", true), "", "staging"), back, PENDING)).toEqual({ kind: "mark", phase: "cutover" });
    expect(decide(s(c("blue", "r1", "webhook", true), "", "cutover"), back, PENDING)).toEqual({ kind: "cutover", moveListener: false, moveWebhook: true });
    expect(decide(s(c("blue", "r1", "webhook", true), URLS.blue, "baking"), back, PENDING)).toEqual({
      kind: "cutover",
      moveListener: false,
      moveWebhook: false,
    });
    expect(decide(s(c("blue", "r1", "webhook", true), URLS.blue, "baking", false), back, PENDING)).toEqual({ kind: "finalize" });
  });
});

describe("switchSource: what runs in the other mode", () => {
  const host = (blue?: ContainerFacts, green?: ContainerFacts): HostFacts => ({
    instanceId: "i-1",
    address: "10.0.0.1",
    containers: { ...(blue !== undefined ? { blue } : {}), ...(green !== undefined ? { green } : {}) },
  });

  it("nothing in the other mode: an ordinary release", () => {
    expect(switchSource([host(c("blue", "r1", "webhook", true))], "webhook", OLD_REF, "blue")).toBeNull();
    expect(switchSource([host(c("blue", "r1", "polling", false))], "webhook", null, null)).toBeNull();
  });

  it("a running poller under a webhook environment: the switch starts from it (labels, when no tag records it)", () => {
    expect(switchSource([host(c("blue", "r1", "polling", true))], "webhook", null, null)).toEqual({
      colour: "blue",
      releaseId: "r1",
      image: IMAGE,
      mode: "polling",
    });
  });

  it("two webhook colours under a polling environment: the recorded live one, else the webhook's", () => {
    const hosts = [host(c("blue", "r1", "webhook", true), c("green", "r0", "webhook", true))];
    expect(switchSource(hosts, "polling", OLD_REF, null)).toMatchObject({ colour: "blue", releaseId: "r1", mode: "webhook" });
    expect(switchSource(hosts, "polling", null, "green")).toMatchObject({ colour: "green", releaseId: "r0" });
    expect(switchSource(hosts, "polling", null, null)).toBe("ambiguous");
  });

  it("the switch is done once the recorded live release runs in the target mode", () => {
    const hosts = [host(c("blue", "r1", "polling", true), c("green", "r2", "webhook", true))];
    expect(switchSource(hosts, "webhook", { ...OLD_REF, colour: "green", releaseId: "r2" }, "green")).toBeNull();
  });

  it("colourMode reads the label of the colour's containers", () => {
    expect(colourMode([host(c("blue", "r1", "polling", false))], "blue")).toBe("polling");
    expect(colourMode([host(c("blue", "r1", "polling", false))], "green")).toBeNull();
  });
});

describe("listenerBeforeSwitch: webhook -> polling left the listener on the colour the switch back stages", () => {
  // After webhook (green) -> polling (blue poller r1): green stopped but registered, the listener still on green, no webhook.
  const goal: Goal = { kind: "release", colour: "green", releaseId: "r2", image: IMAGE, from: "blue", switchFrom: "polling" };
  const snap = (weights: Snapshot["traffic"]["weights"], webhookUrl = ""): Snapshot => ({
    hosts: [{ instanceId: "i-1", container: c("green", "r0", "webhook", false), other: c("blue", "r1", "polling", true), registered: true, healthy: false }],
    traffic: { weights, foreignTargets: false, hasTargets: { blue: false, green: true }, webhookUrl, webhookSettingsMatch: true },
    urls: URLS,
    tags: { unmanaged: null, live: OLD_REF, previous: null, verified: null, inFlight: flight("release", "r2", "staging"), previousWarmUntil: null },
  });

  it("with no webhook set the listener goes to the poller's colour first; then the webhook colour is staged, not blocked", () => {
    const stale = snap({ green: 1, blue: 0 });
    expect(decide(stale, goal, PENDING)).toMatchObject({ kind: "blocked" });
    expect(listenerBeforeSwitch(stale.traffic, "green", "blue", "polling")).toBe("blue");
    expect(decide(snap({ blue: 1, green: 0 }), goal, PENDING)).toEqual({ kind: "stage", instanceIds: ["i-1"] });
  });

  it("nothing moves with a webhook set, outside a switch from polling, or with the listener already off the staging colour", () => {
    expect(listenerBeforeSwitch(snap({ green: 1, blue: 0 }, URLS.green).traffic, "green", "blue", "polling")).toBeNull();
    expect(listenerBeforeSwitch(snap({ green: 1, blue: 0 }).traffic, "green", "blue", undefined)).toBeNull();
    expect(listenerBeforeSwitch(snap({ green: 1, blue: 0 }).traffic, "green", "blue", "webhook")).toBeNull();
    expect(listenerBeforeSwitch(snap({ blue: 1, green: 0 }).traffic, "green", "blue", "polling")).toBeNull();
    expect(listenerBeforeSwitch(snap({}).traffic, "green", "blue", "polling")).toBeNull();
    expect(listenerBeforeSwitch(snap({ green: 1, blue: 0 }).traffic, "green", null, "polling")).toBeNull();
  });
});
