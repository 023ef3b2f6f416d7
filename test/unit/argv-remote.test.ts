// Every host command as an exact argv: docker, the deploy lock, private files, and the staged `docker run`.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { containerEnv, envFilePath, runArgv } from "../../src/orchestrator/stage.js";
import { containerName, diskFree, docker, LABEL, parseDfAvailableKib } from "../../src/remote/docker.js";
import { appendLine, envFileContent, readFile, writeFilePrivate } from "../../src/remote/files.js";
import { leaseExpired, leaseTokens, lockCommands, lockPath, parseLease } from "../../src/remote/lock.js";
import { ctxFor, GOAL } from "../fakes/argv-ctx.js";

describe("docker argv", () => {
  it("builds each command exactly", () => {
    expect(containerName("telegram-bot", "green")).toBe("telegram-bot-green");
    expect(LABEL).toEqual({
      mode: "bluegreen.mode",
      environment: "bluegreen.environment",
      colour: "bluegreen.colour",
      release: "bluegreen.release",
      image: "bluegreen.image",
    });
    expect(docker.version()).toEqual(["docker", "version", "--format", "{{.Server.Version}}"]);
    expect(docker.pull("repo:v2")).toEqual(["docker", "pull", "repo:v2"]);
    expect(docker.repoDigests("repo:v2")).toEqual(["docker", "image", "inspect", "--format", "{{json .RepoDigests}}", "repo:v2"]);
    expect(docker.list("production")).toEqual(["docker", "ps", "--all", "--filter", "label=bluegreen.environment=production", "--format", "{{json .}}"]);
    expect(docker.inspect(["a-blue", "a-green"])).toEqual(["docker", "inspect", "--type", "container", "a-blue", "a-green"]);
    expect(docker.stats(["a-green"])).toEqual(["docker", "stats", "--no-stream", "--format", "{{json .}}", "a-green"]);
    expect(docker.logs("a-green", 50)).toEqual(["docker", "logs", "--timestamps", "--tail", "50", "a-green"]);
    expect(docker.exitEvents("4f2a9c", 45)).toEqual([
      "docker",
      "events",
      "--since",
      "45s",
      "--until=-1s",
      "--filter",
      "container=4f2a9c",
      "--filter",
      "event=die",
      "--filter",
      "event=oom",
      "--format",
      "{{json .}}",
    ]);
    expect(docker.stop("a-green", 30)).toEqual(["docker", "stop", "--time", "30", "a-green"]);
    // container.stopSignal: stop without running the bot's SIGTERM shutdown hooks.
    expect(docker.stop("a-green", 30, "SIGKILL")).toEqual(["docker", "stop", "--time", "30", "--signal", "SIGKILL", "a-green"]);
    expect(docker.start("a-green")).toEqual(["docker", "start", "a-green"]);
    expect(docker.remove("a-green")).toEqual(["docker", "rm", "--force", "a-green"]);
    expect(diskFree("/var/lib/docker")).toEqual(["df", "-Pk", "/var/lib/docker"]);
  });

  it("parses df -Pk output", () => {
    const out = "Filesystem     1024-blocks     Used Available Capacity Mounted on\n/dev/nvme0n1p1    8376300  3125708   5250592      38% /\n";
    expect(parseDfAvailableKib(out)).toBe(5250592);
    expect(parseDfAvailableKib("")).toBeNull();
    expect(parseDfAvailableKib("header only\n")).toBeNull();
    expect(parseDfAvailableKib("h\n/dev/x 1 2 n/a 3% /\n")).toBeNull();
  });
});

describe("staged docker run", () => {
  it("runs the digest with labels, env file, port, memory and restart policy", () => {
    const ctx = ctxFor();
    expect(envFilePath(ctx, "green")).toBe("/etc/bluegreen/env/production/telegram-bot-green.env");
    expect(runArgv(ctx, GOAL)).toEqual([
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
      "--env-file",
      "/etc/bluegreen/env/production/telegram-bot-green.env",
      "--publish",
      "5002:5000",
      "--memory",
      "419430400b",
      "--restart",
      "unless-stopped",
      GOAL.image,
    ]);
  });

  it("trims trailing slashes of the env-file directory", () => {
    expect(envFilePath(ctxFor({ envFileDir: "/srv/env///" }), "blue")).toBe("/srv/env/production/telegram-bot-blue.env");
  });

  it("puts secrets only in the env file, never on the command line", () => {
    const ctx = ctxFor();
    expect(containerEnv(ctx, GOAL)).toEqual({
      TELEGRAM_BOT_TOKEN: "123456789:TEST-bot-token-aaaaaaaaaaaaaaaaaaaaaaaaa",
      LOG_LEVEL: "info",
      BLUEGREEN_ENVIRONMENT: "production",
      BLUEGREEN_COLOUR: "green",
      BLUEGREEN_RELEASE: "r2",
    });
    expect(runArgv(ctx, GOAL).join(" ")).not.toContain("TEST-bot-token");
  });
});

describe("env file content", () => {
  it("sorts keys and writes KEY=VALUE lines literally", () => {
    expect(envFileContent({ B: "2", A: "x y 'z' \"q\" $HOME #c", C: "" })).toBe("A=x y 'z' \"q\" $HOME #c\nB=2\nC=\n");
    expect(envFileContent({})).toBe("\n");
  });

  it.each([
    ["newline", "a\nb"],
    ["carriage return", "a\rb"],
    ["NUL", "a\0b"],
  ])("rejects a value with a %s, naming the key but not the value", (_n, value) => {
    expect(() => envFileContent({ OK: "fine", SECRET_KEY: value })).toThrow(
      new Error("environment variable SECRET_KEY: a value may not contain a newline or NUL (docker env files cannot carry it)"),
    );
  });
});

describe("private files and the lock", () => {
  it("passes paths as $1, content via stdin", () => {
    expect(writeFilePrivate("/etc/x.env")).toEqual([
      "sh",
      "-c",
      'umask 077 && mkdir -p "$(dirname "$1")" && cat > "$1.tmp.$$" && mv -f "$1.tmp.$$" "$1"',
      "sh",
      "/etc/x.env",
    ]);
    expect(appendLine("/var/log/h.jsonl")).toEqual(["sh", "-c", 'umask 077 && mkdir -p "$(dirname "$1")" && cat >> "$1"', "sh", "/var/log/h.jsonl"]);
    expect(readFile("/a b")).toEqual(["sh", "-c", 'if [ -f "$1" ]; then cat "$1"; fi', "sh", "/a b"]);
  });

  it("builds lock commands", () => {
    const p = lockPath("/var/lock/bluegreen//", "production");
    expect(p).toBe("/var/lock/bluegreen/production.lock");
    expect(lockCommands.acquire(p)).toEqual([
      "sh",
      "-c",
      'mkdir -p "$(dirname "$1")" && if mkdir "$1" 2>/dev/null; then cat > "$1/lease.json"; else echo exists >&2; exit 1; fi',
      "sh",
      p,
    ]);
    expect(lockCommands.read(p)).toEqual(["sh", "-c", 'if [ -f "$1/lease.json" ]; then cat "$1/lease.json"; fi', "sh", p]);
    expect(lockCommands.breakStale(p, "tok1")).toEqual(["sh", "-c", 'mv "$1" "$1.stale-$2" 2>/dev/null && rm -rf "$1.stale-$2"', "sh", p, "tok1"]);
    // Renews only while the lease still names us ($2), so a run whose lock was taken over never writes into it.
    expect(lockCommands.renew(p, '"owner":"me@m"')).toEqual([
      "sh",
      "-c",
      'grep -qF -- "$2" "$1/lease.json" 2>/dev/null && cat > "$1/lease.json.tmp.$$" && mv -f "$1/lease.json.tmp.$$" "$1/lease.json"',
      "sh",
      p,
      '"owner":"me@m"',
    ]);
    expect(lockCommands.release(p)).toEqual(["rm", "-rf", "--", p]);
    expect(lockCommands.releaseIfMine(p, ['"machine":"m","pid":7,', '"acquiredAt":"t"'])).toEqual([
      "sh",
      "-c",
      'p=$1; shift; for t in "$@"; do grep -qF -- "$t" "$p/lease.json" 2>/dev/null || exit 0; done; rm -rf -- "$p"',
      "sh",
      p,
      '"machine":"m","pid":7,',
      '"acquiredAt":"t"',
    ]);
  });

  it("parses leases and their expiry", () => {
    const lease = {
      owner: "me",
      machine: "m",
      pid: 42,
      releaseId: "r2",
      command: "release",
      acquiredAt: "2026-01-01T00:00:00Z",
      expiresAt: "2026-01-01T00:10:00Z",
    };
    expect(parseLease(JSON.stringify(lease))).toEqual(lease);
    expect(parseLease("  \n")).toBeNull();
    expect(parseLease("{not json")).toBeNull();
    expect(parseLease(JSON.stringify({ ...lease, pid: "42" }))).toBeNull();
    expect(parseLease(JSON.stringify({ owner: "me", pid: 1 }))).toBeNull();
    expect(leaseExpired(lease, Date.parse("2026-01-01T00:09:59Z"))).toBe(false);
    expect(leaseExpired(lease, Date.parse("2026-01-01T00:10:00Z"))).toBe(true);
  });
});

describe("lockCommands.releaseIfMine under a real sh", () => {
  const lease = {
    owner: "op",
    machine: "laptop 'x\"",
    pid: 4242,
    releaseId: "r1",
    command: "release",
    acquiredAt: "2026-01-01T00:00:00.000Z",
    expiresAt: "2026-01-01T00:15:00.000Z",
  };
  const lockAt = (content: string): string => {
    const dir = join(mkdtempSync(join(tmpdir(), "bluegreen-lock-")), "env.lock");
    mkdirSync(dir);
    writeFileSync(join(dir, "lease.json"), content);
    return dir;
  };
  const run = (argv: string[]) => spawnSync(argv[0] ?? "", argv.slice(1)).status;

  it("removes the lock while the lease is ours, renewed or not", () => {
    for (const content of [JSON.stringify(lease), JSON.stringify({ ...lease, expiresAt: "2026-01-01T00:30:00.000Z" })]) {
      const dir = lockAt(content);
      expect(run(lockCommands.releaseIfMine(dir, leaseTokens(lease)))).toBe(0);
      expect(existsSync(dir)).toBe(false);
    }
  });

  it("leaves a lock someone else took over (another pid, machine or acquiredAt), and a missing lease", () => {
    for (const other of [{ pid: 4243 }, { machine: "laptop" }, { acquiredAt: "2026-01-01T00:16:00.000Z" }]) {
      const dir = lockAt(JSON.stringify({ ...lease, ...other }));
      expect(run(lockCommands.releaseIfMine(dir, leaseTokens(lease)))).toBe(0);
      expect(existsSync(join(dir, "lease.json"))).toBe(true);
    }
    const empty = lockAt("");
    expect(run(lockCommands.releaseIfMine(empty, leaseTokens(lease)))).toBe(0);
    expect(existsSync(empty)).toBe(true);
  });
});
