// The release never replaces what serves traffic, whatever form the listener's default action has
// and whatever runs on the hosts (property test over generated worlds on the stateful fakes); and
// plan's colour (observeAdoption) is the colour release stages on, over a table of world states.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Colour } from "../../src/domain/types.js";
import { observe } from "../../src/orchestrator/observe.js";
import { release } from "../../src/orchestrator/release.js";
import { observeAdoption } from "../../src/orchestrator/unmanaged.js";
import { buildWorld, type ContainerSpec, containerChanges, type GroupKey, servingContainers, type WorldSpec } from "../fakes/adoption-world.js";

const OPTS = { imageRef: "v2", releaseId: "r2", bakeMs: 20, lockWaitMs: 0, allowUnhealthyLive: true };

async function runRelease(spec: WorldSpec) {
  const w = buildWorld(spec);
  const servingBefore = servingContainers(w);
  const planned = await observeAdoption(w.ctx, await observe(w.ctx));
  let result: Awaited<ReturnType<typeof release>> | undefined;
  let error: unknown;
  try {
    result = await release(w.ctx, OPTS);
  } catch (e) {
    error = e;
  }
  return { w, servingBefore, planned, result, error };
}

/** "i-2/name" was created with bluegreen's labels for `colour`. */
function ownLabelled(spec: WorldSpec, hostAndName: string, colour: Colour): boolean {
  const [host, name] = hostAndName.split("/");
  const list = spec.containers[Number((host ?? "").replace("i-", "")) - 1] ?? [];
  return list.some((c) => c.name === name && c.colour === colour);
}

const colour = fc.constantFrom<Colour>("blue", "green");
const port = fc.constantFrom(5000, 5001, 5002);
const container: fc.Arbitrary<ContainerSpec> = fc.record({
  name: fc.constantFrom("telegram-bot-blue", "telegram-bot-green", "telegram-bot", "legacy-bot"),
  colour: fc.option(colour, { nil: null }),
  hostPort: port,
  running: fc.boolean(),
});
// One name per host, and (like docker) one running container per host port.
const hostContainers = fc.array(container, { maxLength: 3 }).map((list) => {
  const names = new Set<string>();
  const ports = new Set<number>();
  return list.filter((c) => {
    if (names.has(c.name) || (c.running && ports.has(c.hostPort))) return false;
    names.add(c.name);
    if (c.running) ports.add(c.hostPort);
    return true;
  });
});
const group = fc.constantFrom<GroupKey>("blue", "green", "legacy");
const targets = fc.uniqueArray(fc.tuple(fc.constantFrom(0, 1), port), { maxLength: 3, selector: ([i, p]) => `${i}:${p}` });
const worldSpec: fc.Arbitrary<WorldSpec> = fc.record({
  forward: fc.uniqueArray(fc.record({ group, weight: fc.constantFrom(0, 1, 3) }), { minLength: 1, maxLength: 3, selector: (f) => f.group }),
  containers: fc.tuple(hostContainers, hostContainers),
  registered: fc.record({ blue: targets, green: targets, legacy: targets }),
  tagsLive: fc.option(colour, { nil: null }),
  deadRun: fc.option(fc.record({ colour, phase: fc.constantFrom<"staging" | "cutover" | "baking">("staging", "cutover", "baking") }), { nil: null }),
  webhook: fc.constantFrom<WorldSpec["webhook"]>("", "legacy", "blue", "green"),
});

describe("release over generated worlds (listener forms x host states x tags)", () => {
  it("never stops, removes or replaces a container that serves traffic, and stages on plan's colour", async () => {
    await fc.assert(
      fc.asyncProperty(worldSpec, async (spec) => {
        const { w, servingBefore, planned, result } = await runRelease(spec);
        // A dead earlier run is undone first: its own colour's containers (ours, labelled) are stopped by
        // design, even if they took traffic (a bot that set the webhook itself); every other serving one is kept.
        const deadOwn = (c: string) => spec.deadRun != null && c.endsWith(`/telegram-bot-${spec.deadRun.colour}`) && ownLabelled(spec, c, spec.deadRun.colour);
        const touched = containerChanges(w).filter((c) => servingBefore.has(c.split(" ")[0] ?? "") && !deadOwn(c.split(" ")[0] ?? ""));
        expect(touched).toEqual([]);
        if (result !== undefined && spec.deadRun == null) expect(result.colour).toBe(planned.choice.colour);
      }),
      {
        numRuns: 300,
        // Found by seed 1271664813: a dead green run's repair stopped `telegram-bot-green` by name, a
        // container labelled blue that served green's group (the green-labelled one was named -blue).
        examples: [
          [
            {
              forward: [{ group: "blue", weight: 0 }],
              containers: [
                [
                  { name: "telegram-bot-green", colour: "blue", hostPort: 5000, running: true },
                  { name: "telegram-bot-blue", colour: "green", hostPort: 5001, running: true },
                ],
                [],
              ],
              registered: { blue: [], green: [[0, 5000]], legacy: [] },
              tagsLive: "blue",
              deadRun: { colour: "green", phase: "staging" },
              webhook: "green",
            },
          ],
        ],
      },
    );
  }, 120_000);
});

const legacyOn = (p: number, name = "telegram-bot"): [ContainerSpec[], ContainerSpec[]] => [
  [{ name, colour: null, hostPort: p, running: true }],
  [{ name, colour: null, hostPort: p, running: true }],
];
const both = (p: number): [number, number][] => [
  [0, p],
  [1, p],
];
const ours = (c: Colour): ContainerSpec => ({ name: `telegram-bot-${c}`, colour: c, hostPort: c === "blue" ? 5001 : 5002, running: true });

// [label, world, plan's colour, release outcome]
const table: [string, WorldSpec, Colour | null, "released" | "refused"][] = [
  [
    "greenfield: listener on empty bot-blue (plain TargetGroupArn)",
    { forward: [{ group: "blue", weight: 1 }], containers: [[], []], registered: {}, tagsLive: null, webhook: "" },
    "blue",
    "released",
  ],
  ["greenfield: nothing referenced", { forward: [], containers: [[], []], registered: {}, tagsLive: null, webhook: "" }, "blue", "released"],
  [
    "legacy group, plain TargetGroupArn, telegram-bot on 5000",
    { forward: [{ group: "legacy", weight: 1 }], containers: legacyOn(5000), registered: { legacy: both(5000) }, tagsLive: null, webhook: "legacy" },
    "blue",
    "released",
  ],
  [
    "bot-blue, plain TargetGroupArn, unlabelled telegram-bot-blue on 5001",
    {
      forward: [{ group: "blue", weight: 1 }],
      containers: legacyOn(5001, "telegram-bot-blue"),
      registered: { blue: both(5001) },
      tagsLive: null,
      webhook: "legacy",
    },
    "green",
    "released",
  ],
  [
    "bot-blue, ForwardConfig one group, unlabelled echo on 5001",
    {
      forward: [{ group: "blue", weight: 1 }],
      containers: legacyOn(5001, "echo-bot-blue"),
      registered: { blue: both(5001) },
      tagsLive: null,
      webhook: "legacy",
    },
    "green",
    "released",
  ],
  [
    "bot-green at weight 1, blue 0, unlabelled on 5002",
    {
      forward: [
        { group: "green", weight: 1 },
        { group: "blue", weight: 0 },
      ],
      containers: legacyOn(5002),
      registered: { green: both(5002) },
      tagsLive: null,
      webhook: "legacy",
    },
    "blue",
    "released",
  ],
  [
    "managed: tags live blue, weights 1/0",
    {
      forward: [
        { group: "blue", weight: 1 },
        { group: "green", weight: 0 },
      ],
      containers: [[ours("blue")], [ours("blue")]],
      registered: { blue: both(5001) },
      tagsLive: "blue",
      webhook: "blue",
    },
    "green",
    "released",
  ],
  [
    "managed: tags live blue, plain TargetGroupArn",
    {
      forward: [{ group: "blue", weight: 1 }],
      containers: [[ours("blue")], [ours("blue")]],
      registered: { blue: both(5001) },
      tagsLive: "blue",
      webhook: "blue",
    },
    "green",
    "released",
  ],
  [
    "tags lost: our blue serves (a first release died after its cutover)",
    {
      forward: [
        { group: "blue", weight: 1 },
        { group: "green", weight: 0 },
      ],
      containers: [[ours("blue")], [ours("blue")]],
      registered: { blue: both(5001) },
      tagsLive: null,
      webhook: "blue",
    },
    "green",
    "released",
  ],
  [
    "legacy container holds blue's port 5001 without serving",
    {
      forward: [{ group: "legacy", weight: 1 }],
      containers: [
        [
          { name: "telegram-bot", colour: null, hostPort: 5000, running: true },
          { name: "old-bot", colour: null, hostPort: 5001, running: true },
        ],
        [],
      ],
      registered: { legacy: both(5000) },
      tagsLive: null,
      webhook: "legacy",
    },
    "blue",
    "refused",
  ],
  [
    "split between bot-legacy and bot-blue, both serving",
    {
      forward: [
        { group: "legacy", weight: 1 },
        { group: "blue", weight: 1 },
      ],
      containers: [
        [
          { name: "telegram-bot", colour: null, hostPort: 5000, running: true },
          { name: "echo-bot-blue", colour: null, hostPort: 5001, running: true },
        ],
        [],
      ],
      registered: { legacy: [[0, 5000]], blue: [[0, 5001]] },
      tagsLive: null,
      webhook: "legacy",
    },
    "green",
    "refused",
  ],
  [
    "both colours serve: nothing free",
    {
      forward: [
        { group: "blue", weight: 1 },
        { group: "green", weight: 1 },
      ],
      containers: [[ours("blue"), ours("green")], []],
      registered: { blue: [[0, 5001]], green: [[0, 5002]] },
      tagsLive: null,
      webhook: "",
    },
    null,
    "refused",
  ],
];

describe("plan and release agree on the colour, over a table of world states", () => {
  it.each(table)("%s", async (_label, spec, expected, outcome) => {
    const { w, planned, result, error, servingBefore } = await runRelease(spec);
    expect(planned.choice.colour).toBe(expected);
    if (outcome === "released") {
      expect(error).toBeUndefined();
      expect(result).toMatchObject({ outcome: "released", colour: expected });
      // Both switches on the new colour; the tags record it.
      expect(w.lb.forward.filter((f) => f.weight > 0).map((f) => f.targetGroupArn)).toEqual([w.ctx.targetGroups[expected as Colour].arn]);
      expect(w.telegram.info.url).toBe(w.ctx.settings.webhook.urls[expected as Colour]);
    } else {
      expect((error as Error | undefined)?.name).toBe("PreflightError");
      expect(w.hosts.flatMap((h) => h.log.filter((a) => a[1] === "run" || a[1] === "rm"))).toEqual([]);
    }
    expect(containerChanges(w).filter((c) => servingBefore.has(c.split(" ")[0] ?? ""))).toEqual([]);
  });
});
