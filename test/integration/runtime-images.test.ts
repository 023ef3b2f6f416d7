// Images through the docker shim: pull output and digests, image inspect, the reference forms,
// and retagging (a tag moves, the old digest stays pullable and runnable).
import { createHash } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { initSandboxRegistry, retagSandboxImage } from "../../src/sandbox/runtime/index.js";
import { createRuntimeWorld, inspectState, type RuntimeWorld, waitForStatus } from "../helpers/runtime-world.js";
import { testHost } from "../helpers/test-net.js";

const HOST = testHost(183);
const digestOf = (variant: string) => `sha256:${createHash("sha256").update(`echo-bot:${variant}`).digest("hex")}`;
let world: RuntimeWorld;

beforeEach(async () => {
  world = await createRuntimeWorld(HOST);
  await initSandboxRegistry(world.stateRoot);
});

afterEach(async () => {
  await world.teardown();
});

describe("docker pull / image inspect", () => {
  it("answers docker version like the EC2 hosts' engine", async () => {
    expect(await world.docker("version", "--format", "{{.Server.Version}}")).toEqual({ code: 0, stdout: "28.2.2-sandbox\n", stderr: "" });
  });

  it("pulls with docker's lines, then reports up to date", async () => {
    const first = await world.docker("pull", "echo-bot:v1");
    expect(first.code).toBe(0);
    const lines = first.stdout.trimEnd().split("\n");
    expect(lines[0]).toBe("v1: Pulling from library/echo-bot");
    expect(lines.slice(1, 3).every((l) => /^[a-f0-9]{12}: Pull complete$/.test(l))).toBe(true);
    expect(lines.slice(3)).toEqual([`Digest: ${digestOf("v1")}`, "Status: Downloaded newer image for echo-bot:v1", "docker.io/library/echo-bot:v1"]);
    expect(await world.docker("pull", "echo-bot:v1")).toEqual({
      code: 0,
      stdout: `v1: Pulling from library/echo-bot\nDigest: ${digestOf("v1")}\nStatus: Image is up to date for echo-bot:v1\ndocker.io/library/echo-bot:v1\n`,
      stderr: "",
    });
  });

  it("fails an unknown tag, an unknown repository and a missing tag (latest) like docker", async () => {
    expect(await world.docker("pull", "echo-bot:nope")).toEqual({
      code: 1,
      stdout: "",
      stderr: "Error response from daemon: manifest for echo-bot:nope not found: manifest unknown: manifest unknown\n",
    });
    expect(await world.docker("pull", "echo-bot")).toEqual({
      code: 1,
      stdout: "Using default tag: latest\n",
      stderr: "Error response from daemon: manifest for echo-bot:latest not found: manifest unknown: manifest unknown\n",
    });
    expect(await world.docker("pull", "other-bot:v1")).toEqual({
      code: 1,
      stdout: "",
      stderr:
        "Error response from daemon: pull access denied for other-bot, repository does not exist or may require 'docker login': denied: requested access to the resource is denied\n",
    });
    expect(await world.docker("pull", "Echo-Bot:v1")).toEqual({
      code: 1,
      stdout: "",
      stderr: "invalid reference format: repository name (library/Echo-Bot) must be lowercase\n",
    });
  });

  it("image inspect knows only pulled images, and shows RepoDigests by the name pulled", async () => {
    const ecr = "123456789012.dkr.ecr.ap-southeast-2.amazonaws.com/team/echo-bot";
    expect(await world.docker("image", "inspect", "--format", "{{json .RepoDigests}}", "echo-bot:v2")).toEqual({
      code: 1,
      stdout: "",
      stderr: "Error response from daemon: No such image: echo-bot:v2\n",
    });
    const pulled = await world.dockerOk("pull", `${ecr}:v2`);
    expect(pulled.split("\n")[0]).toBe("v2: Pulling from team/echo-bot");
    expect(pulled.trimEnd().split("\n").pop()).toBe(`${ecr}:v2`);
    expect(await world.dockerOk("image", "inspect", "--format", "{{json .RepoDigests}}", `${ecr}:v2`)).toBe(`["${ecr}@${digestOf("v2")}"]\n`);
    await world.dockerOk("pull", "echo-bot:v2");
    expect(await world.dockerOk("image", "inspect", "--format", "{{json .RepoDigests}}", "echo-bot:v2")).toBe(
      `["${ecr}@${digestOf("v2")}","echo-bot@${digestOf("v2")}"]\n`,
    );
  });

  it("accepts name@digest and name:tag@digest, ignoring the tag like docker", async () => {
    const byDigest = await world.docker("pull", `echo-bot@${digestOf("v3")}`);
    expect(byDigest.stdout.split("\n")[0]).toBe(`${digestOf("v3")}: Pulling from library/echo-bot`);
    expect(byDigest.stdout).toContain(`Status: Downloaded newer image for echo-bot@${digestOf("v3")}\n`);
    await world.dockerOk("run", "-d", "--name", "pinned", "-p", "5301:5000", `echo-bot:v1@${digestOf("v3")}`);
    expect(JSON.parse(await waitForStatus(`http://${HOST}:5301/health`, 200)).version).toBe("v3");
    expect((await inspectState(world, "pinned")).Config).toMatchObject({ Image: `echo-bot:v1@${digestOf("v3")}` });
  });

  it("retag moves a tag to new content; the old digest still runs the old content", async () => {
    await world.dockerOk("pull", "echo-bot:v2");
    const newDigest = await retagSandboxImage(world.stateRoot, "echo-bot", "v2", "v3");
    expect(newDigest).toMatch(/^sha256:[a-f0-9]{64}$/);
    expect(newDigest).not.toBe(digestOf("v2"));
    expect(newDigest).not.toBe(digestOf("v3"));

    // The host still has what it pulled until it pulls again, as docker does.
    expect(await world.dockerOk("image", "inspect", "--format", "{{json .RepoDigests}}", "echo-bot:v2")).toBe(`["echo-bot@${digestOf("v2")}"]\n`);
    expect(await world.dockerOk("pull", "echo-bot:v2")).toContain(`Digest: ${newDigest}\nStatus: Downloaded newer image for echo-bot:v2\n`);
    expect(await world.dockerOk("image", "inspect", "--format", "{{json .RepoDigests}}", "echo-bot:v2")).toBe(`["echo-bot@${newDigest}"]\n`);

    await world.dockerOk("run", "-d", "--name", "by-tag", "-p", "5302:5000", "echo-bot:v2");
    await world.dockerOk("run", "-d", "--name", "by-digest", "-p", "5303:5000", `echo-bot@${digestOf("v2")}`);
    expect(JSON.parse(await waitForStatus(`http://${HOST}:5302/health`, 200)).version).toBe("v3");
    expect(JSON.parse(await waitForStatus(`http://${HOST}:5303/health`, 200)).version).toBe("v2");
  });

  it("answers unknown subcommands, flags and a missing host with docker-like errors", async () => {
    expect(await world.docker("frobnicate")).toEqual({
      code: 125,
      stdout: "",
      stderr: "docker: unknown command: docker frobnicate\n\nRun 'docker --help' for more information\n",
    });
    expect(await world.docker("ps", "--bogus")).toEqual({
      code: 125,
      stdout: "",
      stderr: "unknown flag: --bogus\n\nRun 'docker ps --help' for more information\n",
    });
    expect(await world.docker("run", "-d", "--bogus", "echo-bot:v1")).toEqual({
      code: 125,
      stdout: "",
      stderr: "unknown flag: --bogus\n\nRun 'docker run --help' for more information\n",
    });
    expect(await world.dockerWithEnv({ BLUEGREEN_SANDBOX_HOST: undefined }, "ps")).toEqual({
      code: 1,
      stdout: "",
      stderr:
        "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?\n" +
        "(sandbox runtime: set BLUEGREEN_SANDBOX_STATE and BLUEGREEN_SANDBOX_HOST)\n",
    });
  });
});
