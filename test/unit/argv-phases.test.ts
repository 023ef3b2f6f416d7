// The batched host commands of each phase (src/remote/phases.ts), word for word: the fixed batch
// script, then per step its flags, its word count and the same argv its own builder makes.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { BATCH_SCRIPT } from "../../src/remote/batch.js";
import { docker, REMOVE_IF_OURS } from "../../src/remote/docker.js";
import { engineProbe, firstLook, inspectWithStats, preflightProbe, pullAndDigest, stageBatch } from "../../src/remote/phases.js";

const head = ["sh", "-c", BATCH_SCRIPT, "bluegreen-batch", "bluegreen-t"];

describe("phase batches", () => {
  it("preflight: docker version, df and docker ps --all, none stopping the others", () => {
    expect(preflightProbe("bluegreen-t")).toEqual([
      ...head,
      "-",
      "4",
      "docker",
      "version",
      "--format",
      "{{.Server.Version}}",
      "-",
      "3",
      "df",
      "-Pk",
      "/",
      "-",
      "6",
      "docker",
      "ps",
      "--all",
      "--no-trunc",
      "--format",
      "{{json .}}",
    ]);
  });

  it("a release's first look at a host (#17): inspect of both colours, then the preflight's probe, none stopping the others", () => {
    const look = ["-", "6", ...docker.inspect(["bot-blue", "bot-green"]), "-", "4", ...docker.version(), "-", "3", "df", "-Pk", "/"];
    expect(firstLook(["bot-blue", "bot-green"], false, "bluegreen-t").slice(head.length)).toEqual(look);
    // With `docker ps --all` for adoption (a webhook environment), last.
    expect(firstLook(["bot-blue", "bot-green"], true, "bluegreen-t").slice(head.length)).toEqual([...look, "-", "6", ...docker.listAll()]);
  });

  it("preflight without adoption: docker version and df", () => {
    expect(engineProbe("bluegreen-t")).toEqual([...head, "-", "4", "docker", "version", "--format", "{{.Server.Version}}", "-", "3", "df", "-Pk", "/"]);
  });
});

describe("resolving the image", () => {
  it("pull (a failure stops), then the registry digests", () => {
    expect(pullAndDigest("echo-bot:v2", "bluegreen-t")).toEqual([
      ...head,
      "s",
      "3",
      "docker",
      "pull",
      "echo-bot:v2",
      "-",
      "6",
      "docker",
      "image",
      "inspect",
      "--format",
      "{{json .RepoDigests}}",
      "echo-bot:v2",
    ]);
  });
});

describe("staging", () => {
  const run = ["docker", "run", "--detach", "--name", "bot-green", "repo@sha256:abc"];
  const write = ["sh", "-c", "cat", "sh", "/etc/bluegreen/prod/bot-green.env"];

  it("remove-if-ours, env file (stdin), pull, run: each stops the rest on failure but the last", () => {
    expect(stageBatch({ name: "bot-green", colour: "green", writeEnvFile: write, pull: ["docker", "pull", "repo@sha256:abc"], run }, "bluegreen-t")).toEqual([
      ...head,
      "s",
      "7",
      "sh",
      "-c",
      REMOVE_IF_OURS,
      "sh",
      "bot-green",
      "green",
      '{{index .Config.Labels "bluegreen.colour"}}',
      "si",
      "5",
      ...write,
      "s",
      "3",
      "docker",
      "pull",
      "repo@sha256:abc",
      "-",
      "6",
      ...run,
    ]);
  });

  it("without the pull when this run already pulled the digest on the host", () => {
    const argv = stageBatch({ name: "bot-green", colour: "green", writeEnvFile: write, run }, "bluegreen-t");
    expect(argv.slice(head.length)).toEqual(["s", "7", ...docker.removeIfOurs("bot-green", "green"), "si", "5", ...write, "-", "6", ...run]);
  });

  it("with the inspect of both colours after the run (#17): the run now stops the batch, the inspect is read back", () => {
    const argv = stageBatch({ name: "bot-green", colour: "green", writeEnvFile: write, run, inspect: ["bot-blue", "bot-green"] }, "bluegreen-t");
    expect(argv.slice(head.length)).toEqual([
      "s",
      "7",
      ...docker.removeIfOurs("bot-green", "green"),
      "si",
      "5",
      ...write,
      "s",
      "6",
      ...run,
      "-",
      "6",
      ...docker.inspect(["bot-blue", "bot-green"]),
    ]);
  });
});

describe("a bake check", () => {
  it("inspect of both colours, then stats of the new one", () => {
    expect(inspectWithStats(["bot-blue", "bot-green"], ["bot-green"], "bluegreen-t")).toEqual([
      ...head,
      "-",
      "6",
      ...docker.inspect(["bot-blue", "bot-green"]),
      "-",
      "6",
      "docker",
      "stats",
      "--no-stream",
      "--format",
      "{{json .}}",
      "bot-green",
    ]);
  });
});

describe("docker.removeIfOurs under a real sh (a stand-in docker on PATH)", () => {
  const dir = mkdtempSync(join(tmpdir(), "bluegreen-rmours-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  // The stand-in answers inspect with the label in $BLUEGREEN_TEST_LABEL (unset: no such container) and logs every call.
  writeFileSync(
    join(dir, "docker"),
    '#!/bin/sh\nprintf "%s|" "$@" >> "$BLUEGREEN_TEST_LOG"; echo >> "$BLUEGREEN_TEST_LOG"\nif [ "$1" = inspect ]; then [ -n "${BLUEGREEN_TEST_LABEL+x}" ] || { echo "No such container" >&2; exit 1; }; echo "$BLUEGREEN_TEST_LABEL"; fi\n',
    { mode: 0o755 },
  );
  const runIt = (name: string, label: string | undefined) => {
    const log = join(dir, `log-${Math.random()}`);
    writeFileSync(log, "");
    const [program = "", ...args] = docker.removeIfOurs(name, "green");
    const env = {
      ...process.env,
      PATH: `${dir}:${process.env.PATH ?? ""}`,
      BLUEGREEN_TEST_LOG: log,
      ...(label !== undefined ? { BLUEGREEN_TEST_LABEL: label } : {}),
    };
    if (label === undefined) delete env.BLUEGREEN_TEST_LABEL;
    const r = spawnSync(program, args, { env, encoding: "utf8" });
    return { code: r.status, stderr: r.stderr, calls: readFileSync(log, "utf8").trim().split("\n").filter(Boolean) };
  };

  it("ours (colour label matches): inspected, then removed", () => {
    expect(runIt("bot-green", "green")).toEqual({
      code: 0,
      stderr: "",
      calls: ['inspect|--type|container|--format|{{index .Config.Labels "bluegreen.colour"}}|bot-green|', "rm|--force|bot-green|"],
    });
  });

  it("not ours (no or another label): exit 3, named, nothing removed", () => {
    for (const label of ["", "<no value>", "blue"]) {
      const r = runIt("bot-green", label);
      expect(r.code).toBe(3);
      expect(r.stderr).toBe("bot-green was not started by bluegreen\n");
      expect(r.calls).toHaveLength(1);
    }
  });

  it("no container under the name: exit 0, nothing removed", () => {
    expect(runIt("bot-green", undefined)).toMatchObject({ code: 0, calls: [expect.stringMatching(/^inspect\|/)] });
  });

  it("a hostile name stays one word", () => {
    const pwned = join(dir, "pwned");
    const name = `x"; touch ${pwned}; $(touch ${pwned}) \``;
    const r = runIt(name, "green");
    expect(r.calls[1]).toBe(`rm|--force|${name}|`);
    expect(existsSync(pwned)).toBe(false);
  });
});
