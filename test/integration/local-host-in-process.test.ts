// The sandbox transport's in-process docker (LocalHostConnectorOptions.inProcessDocker): the same
// commands the orchestrator runs give the same answers whether the stand-in runs as a process (the
// shim) or in the caller; a `docker` that is not the shim is still spawned; the command timeout
// still rejects; a container started in-process outlives the process that started it.
import { execFile } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { CallCounter } from "../../src/adapters/call-count.js";
import { LocalHostConnector } from "../../src/adapters/local-host.js";
import { HostCommandTimeoutError } from "../../src/adapters/ssh-errors.js";
import type { ExecResult, RemoteHost } from "../../src/ports.js";
import { batchArgv, decodeBatch, parseBatch } from "../../src/remote/batch.js";
import { docker } from "../../src/remote/docker.js";
import { writeFilePrivate } from "../../src/remote/files.js";
import { firstLook, inspectWithStats, pullAndDigest, stageBatch } from "../../src/remote/phases.js";
import { sandboxDockerRunner } from "../../src/sandbox/runtime/in-process.js";
import { initSandboxRegistry, killAllContainers, readContainer, writeDockerShim } from "../../src/sandbox/runtime/index.js";
import { hostPaths } from "../../src/sandbox/runtime/paths.js";
import { isAlive } from "../../src/sandbox/runtime/proc.js";
import { processesMentioning, requireCompiledRuntime, waitForStatus } from "../helpers/runtime-world.js";
import { testHost } from "../helpers/test-net.js";

const SPAWNED = testHost(187);
const HERE = testHost(188);
const PORT = 5187;
const MARKER = "bluegreen-in-process-test";

/** What differs between two runs of the same commands on two hosts: ids, times, pids, the host's address, sizes. */
function normalise(text: string, host: string): string {
  return text
    .replaceAll(host, "<host>")
    .replace(/[a-f0-9]{64}/g, "<id>")
    .replace(/[a-f0-9]{12}/g, "<short-id>")
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, "<time>")
    .replace(/"Pid": ?\d+/g, '"Pid": <pid>')
    .replace(/\b(About a minute|Less than a second|\d+ seconds?|\d+ minutes?) ago\b/g, "<ago>")
    .replace(/(Up|Exited \(\d+\)) (About a minute|Less than a second|\d+ seconds?|\d+ minutes?)/g, "$1 <for>")
    .replace(/\(pid \d+\)/g, "(pid <pid>)")
    .replace(/"(CreatedAt|RunningFor|Status|MemPerc|MemUsage|CPUPerc)":"[^"]*"/g, '"$1":"<varies>"');
}

/** A result as compared: a batch step by step (df's free space is the machine's, so only its exit code). */
function comparable(argv: readonly string[], res: ExecResult, host: string): unknown {
  const batch = decodeBatch(argv);
  if (argv[0] === "df") return { code: res.code };
  if (batch === null) return { code: res.code, stdout: normalise(res.stdout, host), stderr: normalise(res.stderr, host) };
  return parseBatch(argv, res).map((step, i) =>
    step === undefined
      ? "not run"
      : batch.steps[i]?.argv[0] === "df"
        ? { code: step.code }
        : { code: step.code, stdout: normalise(step.stdout, host), stderr: normalise(step.stderr, host) },
  );
}

describe("LocalHost with the sandbox's docker in this process", () => {
  let stateRoot = "";
  let bin = "";
  let spawned: RemoteHost;
  let here: RemoteHost;
  const spawnedCalls = new CallCounter();
  const hereCalls = new CallCounter();
  /** The docker subcommands that ran in this process (the runner, counting). */
  const ranHere: string[] = [];
  /** The last of them, to wait for its end. */
  let lastHere: Promise<unknown> = Promise.resolve();
  const runner = sandboxDockerRunner();
  const counting: typeof runner = {
    recognise: (path) => runner.recognise(path),
    run: (args, env) => {
      ranHere.push(args[0] ?? "");
      const running = runner.run(args, env);
      lastHere = running;
      return running;
    },
  };

  beforeAll(async () => {
    requireCompiledRuntime();
    stateRoot = mkdtempSync(join(tmpdir(), "bluegreen-in-process-"));
    bin = join(stateRoot, "bin");
    await writeDockerShim(bin);
    await initSandboxRegistry(stateRoot);
    const env = { PATH: `${bin}:${process.env.PATH ?? "/usr/bin:/bin"}`, BLUEGREEN_SANDBOX_STATE: stateRoot };
    spawned = await new LocalHostConnector({ env, calls: spawnedCalls }).connect({ instanceId: "i-spawned", address: SPAWNED });
    here = await new LocalHostConnector({ env, calls: hereCalls, inProcessDocker: counting }).connect({ instanceId: "i-here", address: HERE });
  });

  afterAll(async () => {
    await killAllContainers(stateRoot);
    const survivors = processesMentioning(stateRoot);
    await rm(stateRoot, { recursive: true, force: true });
    expect(survivors).toEqual([]);
  });

  it("answers the orchestrator's commands exactly as the docker process does, one counted host call each", async () => {
    const name = "bot-blue";
    const envFile = (host: string) => join(stateRoot, "env", host, "bot-blue.env");
    const runArgv = (host: string) =>
      docker.run({
        slot: { environment: "test", colour: "blue", containerName: name, hostPort: PORT },
        releaseId: "r1",
        image: "echo-bot:v1",
        containerPort: 5000,
        envFile: envFile(host),
        memoryBytes: 256 * 2 ** 20,
        restartPolicy: "unless-stopped",
      });
    const blocker = join(stateRoot, "a-file");
    writeFileSync(blocker, "");
    const envText = `TELEGRAM_BOT_TOKEN=123456789:TEST-bot-token-aaaaaaaaaaaaaaaaaaaaaaaaa\nBOT_MODE=webhook\nTELEGRAM_API_BASE=http://127.0.0.1:9\n`;
    // What a release, status and rollback run on a host, in order (the batches as phases.ts builds them).
    const commands = (host: string): { argv: string[]; stdin?: string }[] => [
      { argv: firstLook([name, "bot-green"], true, MARKER) },
      { argv: pullAndDigest("echo-bot:v1", MARKER) },
      { argv: docker.pull("echo-bot:nope") },
      { argv: docker.repoDigests("echo-bot:v1") },
      { argv: docker.repoDigests("echo-bot:v9") },
      {
        argv: stageBatch({ name, colour: "blue", writeEnvFile: writeFilePrivate(envFile(host)), run: runArgv(host), inspect: [name, "bot-green"] }, MARKER),
        stdin: envText,
      },
      { argv: docker.inspect([name, "bot-green"]) },
      // Staged again over its own running container: removeIfOurs's inspect and rm run here too.
      {
        argv: stageBatch({ name, colour: "blue", writeEnvFile: writeFilePrivate(envFile(host)), run: runArgv(host), inspect: [name, "bot-green"] }, MARKER),
        stdin: envText,
      },
      { argv: inspectWithStats([name], [], MARKER) },
      { argv: docker.logs(name, 5) },
      { argv: docker.stop(name, 1) },
      { argv: docker.inspect([name]) },
      { argv: docker.start(name) },
      { argv: docker.stop(name, 0, "SIGKILL") },
      { argv: docker.remove(name) },
      { argv: docker.remove(name) },
      { argv: docker.stop("missing", 1) },
      { argv: docker.logs("missing", 5) },
      { argv: ["docker", "frobnicate"] },
      { argv: [...docker.inspect([name]), "--format", "{{.Nope"] },
      { argv: ["sh", "-c", "echo not docker; exit 3"] },
      // An env file that cannot be written (its folder is a file): the script's own tools' words, both ways.
      {
        argv: batchArgv([{ argv: writeFilePrivate(join(blocker, "bot-blue.env")), stdin: true, stop: true }, { argv: docker.version() }], MARKER),
        stdin: envText,
      },
      // A container started without bluegreen's labels is refused (exit 3), a missing one is no error.
      { argv: ["docker", "run", "--detach", "--name", "foreign", "--publish", `${PORT}:5000`, "--env", "BOT_MODE=webhook", "echo-bot:v1"] },
      { argv: docker.removeIfOurs("foreign", "blue") },
      { argv: docker.removeIfOurs("missing", "blue") },
      { argv: docker.remove("foreign") },
      { argv: ["df", "-Pk", "/"] },
    ];
    const results = async (host: RemoteHost, address: string) => {
      const out: unknown[] = [];
      for (const c of commands(address)) {
        const res = await host.exec(c.argv, c.stdin !== undefined ? { stdin: c.stdin } : {});
        out.push(comparable(c.argv, res, address));
        // The bot answers between the run and what reads it, as in a release's gates.
        if (c.argv.includes("run") || c.argv.includes("start")) await waitForStatus(`http://${address}:${PORT}/health`, 200);
      }
      return out;
    };
    const expected = await results(spawned, SPAWNED);
    expect(ranHere).toEqual([]);
    const actual = await results(here, HERE);
    expect(actual).toEqual(expected);
    // Every docker command and batch step ran here, and removeIfOurs's docker calls (its inspect, and
    // its rm for a container of ours); other `sh -c` steps and df did not.
    expect(ranHere).toEqual(
      ["inspect", "version", "ps", "pull", "image", "pull", "image", "image", "inspect", "run", "inspect", "inspect"].concat(
        ["inspect", "rm", "run", "inspect", "inspect", "stats", "logs", "stop", "inspect", "start", "stop", "rm", "rm", "stop", "logs"],
        ["frobnicate", "inspect", "run", "inspect", "inspect", "rm"],
      ),
    );
    // The batch really ran: staged, read back running, its env file written through stdin.
    const staged = expected[5] as { code: number; stdout: string }[];
    expect(staged.map((step) => step.code)).toEqual([0, 0, 0, 1]); // the last: `bot-green` is not there
    expect(staged[3]?.stdout).toContain('"Status": "running"');
    // The env file as the script leaves it (umask 077), however it was written.
    for (const address of [SPAWNED, HERE]) {
      expect(readFileSync(envFile(address), "utf8")).toBe(envText);
      expect(statSync(envFile(address)).mode & 0o777).toBe(0o600);
      expect(statSync(dirname(envFile(address))).mode & 0o777).toBe(0o700);
      expect(readdirSync(dirname(envFile(address)))).toEqual(["bot-blue.env"]);
    }
    const blocked = expected.at(-6) as [{ code: number; stderr: string }, unknown];
    expect(blocked[1]).toBe("not run"); // the failed write stopped the batch
    expect(blocked[0]?.code).not.toBe(0);
    expect(blocked[0]?.stderr).toContain("mkdir: cannot create directory");
    const restaged = expected[7] as { code: number; stdout: string }[];
    expect(restaged.map((step) => step.code)).toEqual([0, 0, 0, 1]);
    expect(restaged[3]?.stdout).toContain('"Status": "running"');
    expect(expected.slice(-4, -2)).toEqual([
      { code: 3, stdout: "", stderr: "foreign was not started by bluegreen\n" },
      { code: 0, stdout: "", stderr: "" },
    ]);
    expect(hereCalls.snapshot().host).toEqual({ [`local:${HERE}`]: commands(HERE).length });
    expect(spawnedCalls.snapshot().host).toEqual({ [`local:${SPAWNED}`]: commands(SPAWNED).length });
  });

  it("spawns a docker on PATH that is not the sandbox's shim (a test's own wrapper), also inside a batch", async () => {
    const wrapperDir = join(stateRoot, "wrapper");
    await writeDockerShim(wrapperDir); // the shim exists too, later on PATH
    writeFileSync(join(wrapperDir, "docker"), '#!/bin/sh\necho "wrapper $*"; exit 7\n');
    chmodSync(join(wrapperDir, "docker"), 0o755);
    const before = ranHere.length;
    const wrapped = await new LocalHostConnector({
      env: { PATH: `${wrapperDir}:${bin}:${process.env.PATH ?? ""}`, BLUEGREEN_SANDBOX_STATE: stateRoot },
      inProcessDocker: counting,
    }).connect({ instanceId: "i-wrapped", address: HERE });
    expect(await wrapped.exec(docker.version())).toEqual({ code: 7, stdout: "wrapper version --format {{.Server.Version}}\n", stderr: "" });
    const argv = firstLook(["bot-blue"], false, MARKER);
    expect(parseBatch(argv, await wrapped.exec(argv))[0]).toEqual({ code: 7, stdout: "wrapper inspect --type container bot-blue\n", stderr: "" });
    expect(ranHere.length).toBe(before);
  });

  it("logs each docker sub-command to BLUEGREEN_SANDBOX_DOCKER_LOG however it runs (what the bench counts)", async () => {
    const log = join(stateRoot, "docker-calls.log");
    const env = { PATH: `${bin}:${process.env.PATH ?? ""}`, BLUEGREEN_SANDBOX_STATE: stateRoot, BLUEGREEN_SANDBOX_DOCKER_LOG: log };
    const address = { instanceId: "i-log", address: HERE };
    await (await new LocalHostConnector({ env }).connect(address)).exec(docker.version());
    await (await new LocalHostConnector({ env, inProcessDocker: sandboxDockerRunner() }).connect(address)).exec(firstLook(["bot-blue"], true, MARKER));
    expect(readFileSync(log, "utf8")).toBe("version\ninspect\nversion\nps\n");
  });

  it("rejects a command that outlives its timeout with HostCommandTimeoutError", async () => {
    const started = performance.now();
    // `docker events` with a future --until waits it out (3 s here).
    const err = await here.exec(["docker", "events", "--until=-3s"], { timeoutMs: 300 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(HostCommandTimeoutError);
    expect((err as Error).message).toBe(
      `command \`docker\` on local:${HERE} timed out after 300ms; it was abandoned (the sandbox's docker runs in this process)`,
    );
    expect(performance.now() - started).toBeLessThan(2_500);
  });

  it("a failing `stop` step ends the batch, and stdin reaches only its step, the same both ways (review s8)", async () => {
    const run = (name: string, port: number) => [
      "docker",
      "run",
      "--detach",
      "--name",
      name,
      "--publish",
      `${port}:5000`,
      "--env",
      "BOT_MODE=webhook",
      "echo-bot:v1",
    ];
    const cases = (host: string) => [
      { argv: pullAndDigest("echo-bot:nope", MARKER) },
      { argv: batchArgv([{ argv: run("p1", PORT + 3) }], MARKER) },
      // The run fails (the first batch's p1 holds the port), so the inspect after it does not run.
      {
        argv: stageBatch(
          { name: "p2", colour: "blue", writeEnvFile: writeFilePrivate(join(stateRoot, "env", host, "p2.env")), run: run("p2", PORT + 3), inspect: ["p2"] },
          MARKER,
        ),
        stdin: "A=1\n",
      },
      {
        argv: batchArgv([{ argv: ["cat"] }, { argv: ["cat"], stdin: true }, { argv: ["false"], stop: true }, { argv: docker.version() }], MARKER),
        stdin: "fed\n",
      },
    ];
    const answers = async (h: RemoteHost, host: string) => {
      const out: unknown[] = [];
      for (const c of cases(host)) {
        const res = await h.exec(c.argv, c.stdin !== undefined ? { stdin: c.stdin } : {});
        expect(res.code).toBe(0);
        out.push(comparable(c.argv, res, host));
      }
      return out;
    };
    const expected = await answers(spawned, SPAWNED);
    expect(await answers(here, HERE)).toEqual(expected);
    expect((expected[0] as unknown[])[1]).toBe("not run"); // the pull failed: no digest read
    expect((expected[2] as unknown[]).slice(3)).toEqual(["not run"]);
    expect((expected[3] as { stdout: string }[]).slice(0, 3).map((step) => step.stdout)).toEqual(["", "fed\n", ""]);
    expect((expected[3] as unknown[])[3]).toBe("not run");
  });

  it("a batch timed out in a docker step starts no later step, docker or spawned (as its killed sh would not)", async () => {
    const touched = join(stateRoot, "touched-after-timeout");
    const argv = batchArgv(
      [
        { argv: ["docker", "events", "--until=-1s"], stop: true }, // waits 1 s
        { argv: ["docker", "run", "--detach", "--name", "late", "--publish", `${PORT + 2}:5000`, "--env", "BOT_MODE=webhook", "echo-bot:v1"] },
        { argv: ["touch", touched] },
      ],
      MARKER,
    );
    const before = ranHere.length;
    const err = await here.exec(argv, { timeoutMs: 300 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(HostCommandTimeoutError);
    expect(ranHere.slice(before)).toEqual(["events"]);
    await lastHere; // the events step under way runs to its end, as a daemon finishes its API call
    await new Promise((r) => setImmediate(r)); // what the batch would do next is a microtask away
    expect(ranHere.slice(before)).toEqual(["events"]);
    expect(await readContainer(hostPaths(stateRoot, HERE), "late")).toBeNull();
    expect(existsSync(touched)).toBe(false);
    expect((err as Error).message).toBe(`command \`sh\` on local:${HERE} timed out after 300ms; it was killed`);
  });

  it("a batch timed out in a spawned step: the batch's one timer kills it, no later step runs, and the error is always the killed sh's", async () => {
    const sleepers = () =>
      readdirSync("/proc").filter((pid) => {
        try {
          return /^\d+$/.test(pid) && readFileSync(`/proc/${pid}/cmdline`, "utf8") === "sleep\u000030.188\u0000";
        } catch {
          return false; // ended while we looked
        }
      });
    // Like stageBatch: spawned steps first, then docker steps.
    const argv = batchArgv([{ argv: ["true"] }, { argv: ["sleep", "30.188"] }, { argv: docker.version() }], MARKER);
    const before = ranHere.length;
    const messages = new Set<string>();
    for (let i = 0; i < 5; i++) {
      const err = await here.exec(argv, { timeoutMs: 200 }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(HostCommandTimeoutError);
      expect((err as HostCommandTimeoutError).timeoutMs).toBe(200);
      messages.add((err as Error).message);
      await vi.waitFor(() => expect(sleepers()).toEqual([]), { timeout: 2_000, interval: 20 });
    }
    // The same words as the batch run whole in sh (and over SSH: `sh`, the configured timeout).
    expect([...messages]).toEqual([`command \`sh\` on local:${HERE} timed out after 200ms; it was killed`]);
    const s = await spawned.exec(argv, { timeoutMs: 200 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((s as Error).message).toBe(`command \`sh\` on local:${SPAWNED} timed out after 200ms; it was killed`);
    expect(ranHere.length).toBe(before); // `docker version` never ran
  });

  it("a step that cannot be exec'd (ENOTDIR) is that step's 127 and the rest of the batch runs, as in sh; alone it is 127 too", async () => {
    const argv = batchArgv([{ argv: docker.version() }, { argv: ["/etc/passwd/nope"] }, { argv: docker.version() }], MARKER);
    const s = parseBatch(argv, await spawned.exec(argv));
    const h = parseBatch(argv, await here.exec(argv));
    expect(s.map((step) => step?.code)).toEqual([0, 127, 0]);
    expect(h.map((step) => step?.code)).toEqual([0, 127, 0]);
    expect(h[2]).toEqual(s[2]);
    // The batch's sh words (ssh-exec shows them over a real sshd too).
    expect(h[1]).toEqual(s[1]);
    expect(h[1]?.stderr).toBe("bluegreen-batch: 1: eval: /etc/passwd/nope: not found\n");
    // Alone, the login shell's words over SSH (bash's there): a plain text here.
    expect(await here.exec(["/etc/passwd/nope"])).toEqual({ code: 127, stdout: "", stderr: "/etc/passwd/nope: command not found\n" });
  });

  it("a batch step whose program is missing (127) or not executable (126): the same stderr as the batch's sh, word for word", async () => {
    const argv = batchArgv([{ argv: ["no-such-program-xyz", "a"] }, { argv: ["/etc/passwd"] }, { argv: docker.version() }], MARKER);
    const s = parseBatch(argv, await spawned.exec(argv));
    const h = parseBatch(argv, await here.exec(argv));
    expect(h).toEqual(s);
    expect(h.slice(0, 2)).toEqual([
      { code: 127, stdout: "", stderr: "bluegreen-batch: 1: eval: no-such-program-xyz: not found\n" },
      { code: 126, stdout: "", stderr: "bluegreen-batch: 1: eval: /etc/passwd: Permission denied\n" },
    ]);
  });

  it("a BLUEGREEN_SANDBOX_DOCKER_LOG that cannot be appended to fails that docker command (exit 1, as the docker process), not the exec", async () => {
    const env = {
      PATH: `${bin}:${process.env.PATH ?? ""}`,
      BLUEGREEN_SANDBOX_STATE: stateRoot,
      BLUEGREEN_SANDBOX_DOCKER_LOG: join(stateRoot, "no-such-dir", "calls.log"),
    };
    const argv = batchArgv([{ argv: ["echo", "first"] }, { argv: docker.version() }, { argv: ["echo", "last"] }], MARKER);
    const answers = async (connector: LocalHostConnector) =>
      parseBatch(argv, await (await connector.connect({ instanceId: "i-log", address: HERE })).exec(argv));
    const s = await answers(new LocalHostConnector({ env }));
    const h = await answers(new LocalHostConnector({ env, inProcessDocker: sandboxDockerRunner() }));
    expect(h).toEqual(s);
    expect(h.map((step) => step?.code)).toEqual([0, 1, 0]);
    expect(h[1]?.stderr).toMatch(
      /^sandbox docker: cannot log this command to BLUEGREEN_SANDBOX_DOCKER_LOG: ENOENT: no such file or directory, open '.*calls\.log'\n$/,
    );
    expect(h[2]?.stdout).toBe("last\n");
  });

  it("a supervisor that cannot be spawned (EMFILE) fails that `docker run` with 125, and the CLI running it in-process lives on", async () => {
    // A CLI-like process that runs `docker run` in-process with one file descriptor left: the
    // supervisor's log takes it, so spawning the supervisor fails (an 'error' event, next tick).
    const { own, script, env, remove } = await callerInOwnSandbox("bluegreen-in-process-emfile-", {
      imports: ['import { closeSync, openSync } from "node:fs";'],
      body: [
        // Loads the dispatcher, run's modules and the shim lookup first (they need descriptors too).
        "await host.exec(['docker', 'pull', 'echo-bot:v1']);",
        "await host.exec(['docker', 'run', '--detach', '--name', 'warm', 'no-such-image:v0']);",
        // How many descriptors the run needs before the spawn differs between Node versions: one more each try.
        "const results = [];",
        "for (let free = 1; free <= 8; free++) {",
        "  const fds = [];",
        "  try { for (;;) fds.push(openSync('/dev/null', 'r')); } catch {}",
        "  for (let i = 0; i < free; i++) closeSync(fds.pop());",
        "  const res = await host.exec([...argv.slice(0, 4), `emfile-${free}`, ...argv.slice(5)]);",
        "  for (const fd of fds) closeSync(fd);",
        "  results.push(res);",
        "  if (res.code !== 1) break;", // 1: a descriptor ran out before the spawn
        "}",
        "process.stdout.write(JSON.stringify(results));",
      ],
    });
    try {
      const argv = ["docker", "run", "--detach", "--name", "emfile", "--publish", `${PORT + 4}:5000`, "--env", "BOT_MODE=webhook", "echo-bot:v1"];
      // A low descriptor limit (soft and hard, so Node cannot raise it) keeps exhausting it cheap.
      const ran = await new Promise<{ code: number | null; stdout: string; stderr: string }>((done) =>
        execFile(
          "sh",
          ["-c", 'ulimit -n 128 && exec "$@"', "sh", process.execPath, script, JSON.stringify(env), JSON.stringify(HERE), JSON.stringify(argv)],
          { timeout: 20_000 },
          (error, stdout, stderr) => done({ code: error ? ((error as { code?: number }).code ?? null) : 0, stdout, stderr }),
        ),
      );
      expect(ran.stderr).toBe("");
      expect(ran.code).toBe(0);
      const results = JSON.parse(ran.stdout) as ExecResult[];
      const last = results.at(-1);
      expect(last?.code).toBe(125);
      expect(last?.stderr).toMatch(
        new RegExp(
          `^Error response from daemon: sandbox runtime: the supervisor of emfile-${results.length} did not start: spawn \\S+ EMFILE \\(see .*\\)\\n$`,
        ),
      );
      // What docker leaves when the daemon cannot start a container: the container, created.
      expect((await readContainer(hostPaths(own, HERE), `emfile-${results.length}`))?.state.Status).toBe("created");
    } finally {
      expect(await remove()).toEqual([]);
    }
  });

  it("starts a container that outlives the process that ran `docker run`, and killAllContainers ends it", async () => {
    // A separate CLI-like process: runs `docker run` in-process, prints the result, and exits.
    const { own, script, env, remove } = await callerInOwnSandbox("bluegreen-in-process-own-", {
      body: ["process.stdout.write(JSON.stringify(await host.exec(argv)));"],
    });
    try {
      const argv = ["docker", "run", "--detach", "--name", "survivor", "--publish", `${PORT + 1}:5000`, "--env", "BOT_MODE=webhook", "echo-bot:v1"];
      const started = performance.now();
      // execFile waits for the caller's stdout and stderr to close: a supervisor holding them would keep it waiting.
      const out = await new Promise<string>((done, fail) =>
        execFile(process.execPath, [script, JSON.stringify(env), JSON.stringify(HERE), JSON.stringify(argv)], { timeout: 20_000 }, (error, stdout) =>
          error ? fail(error) : done(stdout),
        ),
      );
      expect(performance.now() - started).toBeLessThan(15_000);
      expect(JSON.parse(out)).toMatchObject({ code: 0, stdout: expect.stringMatching(/^[a-f0-9]{64}\n$/) });
      expect(await waitForStatus(`http://${HERE}:${PORT + 1}/health`, 200)).toContain('"status":"ok"');
      const record = await readContainer(hostPaths(own, HERE), "survivor");
      expect(record?.state.Status).toBe("running");
      expect(isAlive(record?.supervisor)).toBe(true);
      expect(await killAllContainers(own)).toBe(2); // its supervisor and its bot
      expect(isAlive(record?.supervisor)).toBe(false);
      expect(isAlive(record?.bot)).toBe(false);
      expect(processesMentioning(own)).toEqual([]);
    } finally {
      await remove();
    }
  });
});

/**
 * A sandbox state folder of a test's own (the docker shim, a registry) and a CLI-like caller script
 * in it: the script connects a LocalHost with the in-process docker (the built dist/), its
 * environment, address and argv given as JSON arguments, then runs `body` (lines that use `host`
 * and `argv`). `env` is the environment for it; `remove` ends every container there, deletes the
 * folder and returns the processes still mentioning it before the delete (none, if all went well).
 */
async function callerInOwnSandbox(prefix: string, script: { imports?: string[]; body: string[] }) {
  const own = mkdtempSync(join(tmpdir(), prefix));
  const remove = async (): Promise<number[]> => {
    await killAllContainers(own);
    const survivors = processesMentioning(own);
    await rm(own, { recursive: true, force: true });
    return survivors;
  };
  try {
    await writeDockerShim(join(own, "bin"));
    await initSandboxRegistry(own);
    const dist = fileURLToPath(new URL("../../dist/src/", import.meta.url));
    const file = join(own, "caller.mjs");
    writeFileSync(
      file,
      [
        ...(script.imports ?? []),
        `import { LocalHostConnector } from ${JSON.stringify(join(dist, "adapters/local-host.js"))};`,
        `import { sandboxDockerRunner } from ${JSON.stringify(join(dist, "sandbox/runtime/in-process.js"))};`,
        "const [env, address, argv] = process.argv.slice(2).map((a) => JSON.parse(a));",
        "const host = await new LocalHostConnector({ env, inProcessDocker: sandboxDockerRunner() }).connect({ instanceId: 'i', address });",
        ...script.body,
      ].join("\n"),
    );
    const env = { PATH: `${join(own, "bin")}:${process.env.PATH ?? ""}`, BLUEGREEN_SANDBOX_STATE: own };
    return { own, script: file, env, remove };
  } catch (e) {
    await remove();
    throw e;
  }
}
