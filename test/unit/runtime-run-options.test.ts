// docker run's flags: the argv the orchestrator builds must mean the same here as on EC2.
import { describe, expect, it } from "vitest";
import { parseArgs } from "../../src/sandbox/runtime/args.js";
import { parsePublish, parseRunArgs } from "../../src/sandbox/runtime/run-options.js";

const files: Record<string, string> = { "/etc/bot.env": "TOKEN=t\nMODE=file\n" };
const readTextFile = (path: string) => {
  const text = files[path];
  if (text === undefined) throw new Error("ENOENT");
  return text;
};
const lookup = (key: string) => ({ HOME_VAR: "home" })[key];
const parse = (...argv: string[]) => parseRunArgs(argv, lookup, readTextFile);

describe("parseRunArgs", () => {
  it("reads the orchestrator's long-form argv", () => {
    expect(
      parse(
        "--detach",
        "--name",
        "bot-green",
        "--label",
        "bluegreen.colour=green",
        "--label",
        "bluegreen.release=r7",
        "--env-file",
        "/etc/bot.env",
        "--env",
        "MODE=flag",
        "--env",
        "HOME_VAR",
        "--publish",
        "5002:5000",
        "--memory",
        "400m",
        "--restart",
        "unless-stopped",
        `echo-bot@sha256:${"a".repeat(64)}`,
      ),
    ).toEqual({
      image: `echo-bot@sha256:${"a".repeat(64)}`,
      name: "bot-green",
      labels: { "bluegreen.colour": "green", "bluegreen.release": "r7" },
      env: ["TOKEN=t", "MODE=file", "MODE=flag", "HOME_VAR=home"],
      ports: [{ hostPort: 5002, containerPort: 5000, protocol: "tcp" }],
      memoryBytes: 400 * 1024 * 1024,
      restartPolicy: { Name: "unless-stopped", MaximumRetryCount: 0 },
      pull: "missing",
      logDriver: "json-file",
      logOpts: {},
    });
  });

  it("reads short, = and clustered forms", () => {
    const options = parse(
      "-d",
      "--name=x",
      "-l",
      "k=v",
      "--label=flag",
      "-e",
      "A=1",
      "-p",
      "127.0.0.1:5003:5000/tcp",
      "-m",
      "64m",
      "--log-opt",
      "max-size=10m",
      "echo-bot:v1",
    );
    expect(options).toMatchObject({
      name: "x",
      labels: { k: "v", flag: "" },
      env: ["A=1"],
      ports: [{ hostPort: 5003, containerPort: 5000, protocol: "tcp" }],
      memoryBytes: 64 * 1024 * 1024,
      logOpts: { "max-size": "10m" },
    });
    expect(
      parseArgs(
        "run",
        ["-dp", "5001:5000", "img"],
        [
          { long: "detach", short: "d", kind: "bool" },
          { long: "publish", short: "p", kind: "list" },
        ],
        false,
      ),
    ).toEqual({
      values: new Map([["publish", ["5001:5000"]]]),
      bools: new Set(["detach"]),
      positionals: ["img"],
    });
  });

  it.each([
    [["-d"], "docker: 'docker run' requires at least 1 argument\n\nRun 'docker run --help' for more information"],
    [["echo-bot:v1"], "docker: sandbox runtime: only detached containers (--detach) are supported\n\nRun 'docker run --help' for more information"],
    [
      ["-d", "--name", "bad/name", "echo-bot:v1"],
      "docker: Error response from daemon: Invalid container name (bad/name), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed\n\nRun 'docker run --help' for more information",
    ],
    [
      ["-d", "--memory", "4m", "echo-bot:v1"],
      "docker: Error response from daemon: Minimum memory limit allowed is 6MB\n\nRun 'docker run --help' for more information",
    ],
    [
      ["-d", "--memory", "huge", "echo-bot:v1"],
      "docker: invalid argument \"huge\" for \"-m, --memory\" flag: invalid size: 'huge'\n\nRun 'docker run --help' for more information",
    ],
    [
      ["-d", "--restart", "sometimes", "echo-bot:v1"],
      "docker: Error response from daemon: invalid restart policy: unknown policy 'sometimes'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'\n\nRun 'docker run --help' for more information",
    ],
    [
      ["-d", "--env-file", "/missing.env", "echo-bot:v1"],
      "docker: open /missing.env: no such file or directory\n\nRun 'docker run --help' for more information",
    ],
    [["-d", "--name"], "flag needs an argument: --name\n\nRun 'docker run --help' for more information"],
    [["-d", "-z", "echo-bot:v1"], "unknown shorthand flag: 'z' in -z\n\nRun 'docker run --help' for more information"],
    [["-d", "echo-bot:v1", "sh"], "docker: sandbox runtime: overriding the image's command is not supported\n\nRun 'docker run --help' for more information"],
  ])("rejects %j", (argv, message) => {
    let error: unknown;
    try {
      parse(...argv);
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ message, exitCode: 125 });
  });

  it("stops reading flags at the image, as docker run does", () => {
    expect(() => parse("-d", "echo-bot:v1", "--name", "late")).toThrow("overriding the image's command is not supported");
  });
});

describe("parsePublish", () => {
  it.each([
    ["5001:5000", { hostPort: 5001, containerPort: 5000, protocol: "tcp" }],
    ["0.0.0.0:5001:5000", { hostPort: 5001, containerPort: 5000, protocol: "tcp" }],
    ["5001:5000/tcp", { hostPort: 5001, containerPort: 5000, protocol: "tcp" }],
  ])("%s", (text, mapping) => {
    expect(parsePublish(text)).toEqual(mapping);
  });

  it("needs a fixed host port in the sandbox", () => {
    expect(() => parsePublish("5000")).toThrow('sandbox runtime: --publish needs HOSTPORT:CONTAINERPORT, got "5000"');
    expect(() => parsePublish("5001:http")).toThrow("invalid containerPort: http");
  });
});
