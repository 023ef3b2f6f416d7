// docker's printed formats: sizes, durations, status strings, --format templates.
import { describe, expect, it } from "vitest";
import { type ContainerRecord, createdState } from "../../src/sandbox/runtime/container-record.js";
import { renderTemplate } from "../../src/sandbox/runtime/template.js";
import { formatBytes, goTimeString, humanDuration, parseRamInBytes } from "../../src/sandbox/runtime/units.js";
import { labelsText, psView, statusText } from "../../src/sandbox/runtime/views.js";

describe("sizes", () => {
  it.each([
    ["400m", 400 * 1024 ** 2],
    ["64M", 64 * 1024 ** 2],
    ["64mb", 64 * 1024 ** 2],
    ["1g", 1024 ** 3],
    ["1.5g", 1.5 * 1024 ** 3],
    ["512k", 512 * 1024],
    ["1048576", 1048576],
  ])("parses %s", (text, bytes) => {
    expect(parseRamInBytes(text)).toBe(bytes);
  });

  it("rejects nonsense with go-units' text", () => {
    expect(() => parseRamInBytes("lots")).toThrow("invalid size: 'lots'");
  });

  it.each([
    [0, "0B"],
    [1023, "1023B"],
    [1024, "1KiB"],
    [12.3 * 1024 ** 2, "12.3MiB"],
    [46_678_016, "44.52MiB"],
    [400 * 1024 ** 2, "400MiB"],
    [24 * 1024 ** 3, "24GiB"],
  ])("formats %d as %s", (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });
});

describe("durations", () => {
  it.each([
    [500, "Less than a second"],
    [1_000, "1 second"],
    [3_999, "3 seconds"],
    [59_000, "59 seconds"],
    [60_000, "About a minute"],
    [119_000, "About a minute"],
    [120_000, "2 minutes"],
    [3_600_000, "About an hour"],
    [5 * 3_600_000, "5 hours"],
    [3 * 86_400_000, "3 days"],
  ])("%d ms -> %s", (ms, text) => {
    expect(humanDuration(ms)).toBe(text);
  });

  it("prints CreatedAt like Go's time.String in UTC", () => {
    expect(goTimeString("2025-03-04T05:06:07.891Z")).toBe("2025-03-04 05:06:07 +0000 UTC");
  });
});

function record(overrides: Partial<ContainerRecord["state"]>, labels: Record<string, string> = {}): ContainerRecord {
  return {
    id: "a".repeat(64),
    name: "bot-blue",
    created: "2025-01-01T00:00:00.000Z",
    imageRef: "echo-bot:v1",
    imageId: `sha256:${"b".repeat(64)}`,
    digest: `sha256:${"c".repeat(64)}`,
    variant: "v1",
    labels,
    env: [],
    memoryBytes: 0,
    restartPolicy: { Name: "no", MaximumRetryCount: 0 },
    ports: [{ hostPort: 5001, containerPort: 5000, protocol: "tcp" }],
    logDriver: "json-file",
    logOpts: {},
    state: { ...createdState(), ...overrides },
    restartCount: 0,
    manuallyStopped: false,
    supervisor: null,
    bot: null,
  };
}

describe("status strings", () => {
  const now = Date.parse("2025-01-01T00:01:00.000Z");
  it.each([
    [{}, "Created"],
    [{ Status: "running" as const, Running: true, StartedAt: "2025-01-01T00:00:57.000Z" }, "Up 3 seconds"],
    [{ Status: "exited" as const, ExitCode: 1, FinishedAt: "2025-01-01T00:00:58.000Z" }, "Exited (1) 2 seconds ago"],
    [{ Status: "restarting" as const, ExitCode: 3, FinishedAt: "2025-01-01T00:00:59.500Z" }, "Restarting (3) Less than a second ago"],
    [{ Status: "exited" as const, ExitCode: 0 }, ""],
  ])("%j -> %s", (state, text) => {
    expect(statusText(record(state), now)).toBe(text);
  });

  it("renders a ps row with sorted labels and ports only while running", () => {
    const running = record({ Status: "running", Running: true, StartedAt: "2025-01-01T00:00:00.000Z" }, { z: "1", a: "2" });
    expect(psView(running, false, Date.parse("2025-01-01T00:00:10.000Z"))).toEqual({
      Command: '"node main.js"',
      CreatedAt: "2025-01-01 00:00:00 +0000 UTC",
      ID: "aaaaaaaaaaaa",
      Image: "echo-bot:v1",
      Labels: "a=2,z=1",
      LocalVolumes: "0",
      Mounts: "",
      Names: "bot-blue",
      Networks: "bridge",
      Ports: "0.0.0.0:5001->5000/tcp",
      RunningFor: "10 seconds ago",
      Size: "0B",
      State: "running",
      Status: "Up 10 seconds",
    });
    expect(psView(record({ Status: "exited" }), true).Ports).toBe("");
    expect(psView(record({ Status: "exited" }), true).ID).toBe("a".repeat(64));
    expect(labelsText({})).toBe("");
  });
});

describe("--format templates", () => {
  const data = {
    Server: { Version: "28.2.2-sandbox" },
    RepoDigests: ["echo-bot@sha256:x"],
    Config: { Labels: { "bluegreen.colour": "blue" } },
    State: { Running: true, Pid: 7 },
  };

  it.each([
    ["{{.Server.Version}}", "28.2.2-sandbox"],
    ["{{json .RepoDigests}}", '["echo-bot@sha256:x"]'],
    ['{{index .Config.Labels "bluegreen.colour"}}', "blue"],
    ["{{.State.Running}} {{.State.Pid}}", "true 7"],
    ["{{.Missing}}", "<no value>"],
    ["{{json .Config}}", '{"Labels":{"bluegreen.colour":"blue"}}'],
    ["{{ .State.Pid }}\\t{{.Config.Labels}}", "7\tmap[bluegreen.colour:blue]"],
    ["plain", "plain"],
  ])("%s", (format, text) => {
    expect(renderTemplate(format, data)).toBe(text);
  });

  it("fails on functions it does not know, like Go's parser", () => {
    expect(() => renderTemplate("{{upper .Name}}", data)).toThrow('template: :1: function "upper" not defined');
  });
});
