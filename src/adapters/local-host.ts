// RemoteHost for the sandbox (`transport: local`): each "host" is a loopback address, and commands
// run as local processes that learn which host they act for from an env var (the docker shim reads
// it). It mirrors the SSH adapter's contract: argv without a shell, the same word checks, 127 for a
// missing program, a timeout that kills the whole process group (as sshd's signal request does).
// With `inProcessDocker` (the sandbox wiring only), a command whose `docker` is the sandbox's own
// shim runs the stand-in here instead of as a process (local-docker.ts).
import { type ChildProcess, spawn } from "node:child_process";
import { constants } from "node:os";
import type { ExecResult, HostConnector, HostTarget, HttpResponse, RemoteHost } from "../ports.js";
import { type BatchStep, batchStepShellError, decodeBatch } from "../remote/batch.js";
import { quoteArgv } from "../remote/quote.js";
import { type CallCounter, processCalls } from "./call-count.js";
import { decodeRemoveIfOurs, type InProcessDocker, removeIfOursHere, runBatchHere, ShimLookup } from "./local-docker.js";
import { decodeWriteFilePrivate, writeFilePrivateHere } from "./local-files.js";
import { HostCommandTimeoutError, HostConnectionError } from "./ssh-errors.js";
import { httpExchange } from "./ssh-http.js";

export interface LocalHostConnectorOptions {
  /** Extra environment for every command, e.g. PATH with the docker shim first, BLUEGREEN_SANDBOX_STATE. */
  env: Record<string, string>;
  /** Variable that carries the target's address to the command. */
  hostEnvVar?: string;
  commandTimeoutMs?: number;
  /** Where commands are counted (default: the process's counter). */
  calls?: CallCounter;
  /** A simulated network round trip before every command and HTTP request (the bench's WAN shim). */
  latencyMs?: number;
  /**
   * The sandbox's docker stand-in, run in this process when the `docker` first on a command's PATH
   * is a shim it recognises: a `docker ...` command, and the docker steps of a batch (remote/batch.ts).
   * Any other program, and any other `docker` (a test's faulty wrapper), is spawned as always.
   */
  inProcessDocker?: InProcessDocker;
}

const HTTP_DEFAULT_TIMEOUT_MS = 30_000;

export class LocalHostConnector implements HostConnector {
  /** Which PATH's `docker` is a shim: looked up once per PATH for all hosts of this connector. */
  private readonly shims: ShimLookup | undefined;

  constructor(private readonly options: LocalHostConnectorOptions) {
    this.shims = options.inProcessDocker && new ShimLookup(options.inProcessDocker);
  }

  async connect(target: HostTarget): Promise<RemoteHost> {
    return new LocalHost(target, this.options, this.shims);
  }
}

/**
 * What a POSIX shell on a real host answers for a program it cannot run (dash's mapping): 127 not
 * found (a missing file, or a path through a non-directory or a loop), 126 not executable. null: a
 * failure of another kind (EAGAIN, EMFILE...), not a property of the program. `batchStep`: a step of
 * a batch, whose text is the batch script's `sh` word for word (dash, via its `eval`); a single
 * command's depends on the login shell over SSH, so it keeps a plain one.
 */
function cannotRunAsShell(program: string, err: NodeJS.ErrnoException, batchStep: boolean): ExecResult | null {
  const failed = (code: number, why: "not found" | "Permission denied", alone: string): ExecResult => ({
    code,
    stdout: "",
    stderr: batchStep ? batchStepShellError(program, why) : `${program}: ${alone}\n`,
  });
  if (err.code === "ENOENT" || err.code === "ENOTDIR" || err.code === "ELOOP" || err.code === "ENAMETOOLONG")
    return failed(127, "not found", "command not found");
  if (err.code === "EACCES") return failed(126, "Permission denied", "Permission denied");
  return null;
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, "SIGKILL"); // the child leads its own group (detached), so this reaches its children too
  } catch {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
}

class LocalHost implements RemoteHost {
  readonly name: string;
  private closed = false;

  constructor(
    private readonly target: HostTarget,
    private readonly options: LocalHostConnectorOptions,
    private readonly shims: ShimLookup | undefined,
  ) {
    this.name = `local:${target.address}`;
  }

  /** Waits the simulated round trip (if any), then runs `fn`. */
  private afterLatency<T>(fn: () => Promise<T>): Promise<T> {
    const ms = this.options.latencyMs ?? 0;
    return ms > 0 ? new Promise<void>((r) => setTimeout(r, ms)).then(fn) : fn();
  }

  exec(argv: readonly string[], opts: { stdin?: string; timeoutMs?: number } = {}): Promise<ExecResult> {
    return this.afterLatency(() => this.execNow(argv, opts));
  }

  httpRequest(
    port: number,
    path: string,
    opts: { method?: string; body?: string; headers?: Record<string, string>; timeoutMs?: number } = {},
  ): Promise<HttpResponse> {
    return this.afterLatency(() => this.httpNow(port, path, opts));
  }

  private execNow(argv: readonly string[], opts: { stdin?: string; timeoutMs?: number }): Promise<ExecResult> {
    try {
      quoteArgv(argv); // same refusals (empty argv, NUL, lone surrogate) as over SSH
    } catch (err) {
      return Promise.reject(err);
    }
    if (this.closed) {
      return Promise.reject(new HostConnectionError(`connection to ${this.name} is closed (close() was called)`, this.name));
    }
    const done = (this.options.calls ?? processCalls).add("host", this.name);
    const timeoutMs = opts.timeoutMs ?? this.options.commandTimeoutMs;
    const env = { ...process.env, ...this.options.env, [this.options.hostEnvVar ?? "BLUEGREEN_SANDBOX_HOST"]: this.target.address };
    return this.run(argv, env, opts.stdin, timeoutMs).finally(done);
  }

  /** In this process when the command's docker is the sandbox's shim, else as a process. */
  private async run(argv: readonly string[], env: NodeJS.ProcessEnv, stdin: string | undefined, timeoutMs: number | undefined): Promise<ExecResult> {
    const [program = ""] = argv;
    const batch = program === "sh" ? decodeBatch(argv) : null;
    // docker.removeIfOurs is a script of two docker calls: run here like a docker command (local-docker.ts).
    const runsDocker = (a: readonly string[]) => a[0] === "docker" || decodeRemoveIfOurs(a) !== null;
    const wantsDocker = runsDocker(argv) || batch?.steps.some((s) => runsDocker(s.argv)) === true;
    const shim = wantsDocker && this.shims ? await this.shims.defaultsFor(env.PATH) : null;
    if (shim === null || this.shims === undefined) return this.spawnCommand(argv, env, stdin, { timeoutMs });
    const docker = this.shims.docker;
    // The shim sets its defaults only where the caller's environment lacks them (`-z "${VAR:-}"`).
    const dockerEnv = { ...env };
    for (const [key, value] of Object.entries(shim)) if (!dockerEnv[key]) dockerEnv[key] = value;
    // A docker command, or docker.removeIfOurs's script of two docker calls (local-docker.ts), run here.
    const here = (a: readonly string[], signal?: AbortSignal): Promise<ExecResult> | null => {
      if (a[0] === "docker") return docker.run(a.slice(1), dockerEnv);
      const script = decodeRemoveIfOurs(a);
      return script === null ? null : removeIfOursHere(script, (args) => docker.run(args, dockerEnv), signal);
    };
    // A batch's env-file write (files.writeFilePrivate) here too; if it fails, its script runs as a process (local-files.ts).
    const write = (step: BatchStep, signal: AbortSignal): Promise<ExecResult> | null => {
      const path = decodeWriteFilePrivate(step.argv);
      if (path === null) return null;
      const content = step.stdin === true ? (stdin ?? "") : "";
      return writeFilePrivateHere(path, content).then((done) => done ?? this.spawnCommand(step.argv, env, content, { signal, batchStep: true }));
    };
    if (batch === null) {
      const error = () =>
        new HostCommandTimeoutError(
          `command \`${program}\` on ${this.name} timed out after ${timeoutMs}ms; it was abandoned (the sandbox's docker runs in this process)`,
          this.name,
          timeoutMs ?? 0,
        );
      return this.withTimeout(here(argv) ?? this.spawnCommand(argv, env, stdin, { timeoutMs }), timeoutMs, error);
    }
    // A batch's other steps run as processes (as the script's `eval` runs them), all under the batch's one deadline.
    const abort = new AbortController();
    const work = runBatchHere(
      batch,
      (step) =>
        here(step.argv, abort.signal) ??
        write(step, abort.signal) ??
        this.spawnCommand(step.argv, env, step.stdin === true ? stdin : "", { signal: abort.signal, batchStep: true }),
      abort.signal,
    );
    // What a real host's timeout gives: its `sh` killed with its process group (here: the spawned step
    // under way killed, no later step started). A docker step under way runs to its end, as a docker
    // daemon finishes the API call of a client that was killed.
    const error = () => {
      const timedOut = new HostCommandTimeoutError(
        `command \`${program}\` on ${this.name} timed out after ${timeoutMs}ms; it was killed`,
        this.name,
        timeoutMs ?? 0,
      );
      abort.abort(timedOut);
      return timedOut;
    };
    return this.withTimeout(work, timeoutMs, error);
  }

  /**
   * The command timeout for work done in this process, one timer for the whole command: at
   * `timeoutMs` the caller gets `error()` (which also stops what can be stopped). A docker command
   * run here cannot be killed as a process group is: it is abandoned and finishes on its own, as a
   * docker daemon finishes an API call whose client was killed. Each of its waits is bounded (stop
   * -t, the supervisor's start, events --until), so it ends within that bound.
   */
  private withTimeout(work: Promise<ExecResult>, timeoutMs: number | undefined, error: () => Error): Promise<ExecResult> {
    if (timeoutMs === undefined) return work;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(error()), timeoutMs);
    });
    return Promise.race([work, timedOut]).finally(() => clearTimeout(timer));
  }

  /**
   * One process, as on a real host: no shell, its own process group, killed whole at its own
   * `timeoutMs` or when `signal` aborts (a batch's deadline: the rejection is then the signal's reason).
   * `batchStep`: a step of a batch, which fails alone when it cannot be run, as the script's does.
   */
  private spawnCommand(
    argv: readonly string[],
    env: NodeJS.ProcessEnv,
    stdin: string | undefined,
    limits: { timeoutMs?: number | undefined; signal?: AbortSignal; batchStep?: boolean },
  ): Promise<ExecResult> {
    const [program = "", ...args] = argv;
    const { timeoutMs, signal } = limits;
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<ExecResult>((resolve, reject) => {
      const stdout: Buffer[] = [];
      const stderr: Buffer[] = [];
      let child: ChildProcess | undefined;
      let timer: NodeJS.Timeout | undefined;
      let settled = false;
      const settle = (fn: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener("abort", aborted);
        fn();
      };
      function aborted() {
        killGroup(child?.pid);
        settle(() => reject(signal?.reason));
      }
      // Node reports some failures to start as a throw (ENOTDIR, E2BIG), others as an 'error' event.
      const cannotRun = (err: NodeJS.ErrnoException) => {
        const failed =
          cannotRunAsShell(program, err, limits.batchStep === true) ??
          (limits.batchStep === true ? { code: 127, stdout: "", stderr: `${program}: ${err.message}\n` } : null);
        settle(() => (failed ? resolve(failed) : reject(new HostConnectionError(`cannot run ${program} on ${this.name}: ${err.message}`, this.name))));
      };
      try {
        child = spawn(program, args, { shell: false, env, stdio: ["pipe", "pipe", "pipe"], detached: true });
      } catch (err) {
        cannotRun(err as NodeJS.ErrnoException);
        return;
      }
      const started = child;
      signal?.addEventListener("abort", aborted, { once: true });
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => {
          killGroup(started.pid);
          settle(() =>
            reject(new HostCommandTimeoutError(`command \`${program}\` on ${this.name} timed out after ${timeoutMs}ms; it was killed`, this.name, timeoutMs)),
          );
        }, timeoutMs);
      }

      started.stdout?.on("data", (b: Buffer) => stdout.push(b));
      started.stderr?.on("data", (b: Buffer) => stderr.push(b));
      started.stdin?.on("error", () => {
        // The command exited without reading its stdin (EPIPE): its exit status tells the story.
      });
      started.stdin?.end(stdin);
      started.on("error", cannotRun);
      started.on("close", (code, signal) => {
        settle(() =>
          resolve({
            // Killed by a signal: 128 + its number, as a shell would report it.
            code: code ?? 128 + (signal ? constants.signals[signal] : 0),
            stdout: Buffer.concat(stdout).toString("utf8"),
            stderr: Buffer.concat(stderr).toString("utf8"),
          }),
        );
      });
    });
  }

  private httpNow(
    port: number,
    path: string,
    opts: { method?: string; body?: string; headers?: Record<string, string>; timeoutMs?: number },
  ): Promise<HttpResponse> {
    const method = opts.method ?? "GET";
    const host = this.target.address;
    const done = (this.options.calls ?? processCalls).add("hostHttp", this.name);
    return httpExchange({
      host,
      port,
      path,
      method,
      body: opts.body,
      headers: opts.headers,
      timeoutMs: opts.timeoutMs ?? this.options.commandTimeoutMs ?? HTTP_DEFAULT_TIMEOUT_MS,
      describe: `${method} http://${host.includes(":") ? `[${host}]` : host}:${port}${path}`,
    }).finally(done);
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
