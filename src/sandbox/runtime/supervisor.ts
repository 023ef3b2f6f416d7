// One detached process per running container (what containerd-shim is to docker): runs the bot,
// writes its state, applies the restart policy and the memory limit, and exits with the container.
// Usage: node supervisor.js <stateRoot> <hostIp> <name> <containerId>
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { constants } from "node:os";
import { dirname } from "node:path";
import { readJsonFileSync, writeJsonAtomicSync } from "./atomic-file.js";
import { type ContainerRecord, exitedState } from "./container-record.js";
import { envToObject } from "./env-file.js";
import { appendEventSync, containerEvent } from "./events.js";
import { LineCollector } from "./log-file.js";
import { nextSampleDelayMs, SAMPLE_MIN_MS } from "./memory-sampling.js";
import { botEntryScript, containerFile, containerLogFile, hostPaths, recordFile } from "./paths.js";
import { processHandle, readRssBytes } from "./proc.js";
import { nextRestartDelay, shouldRestart } from "./restart-policy.js";

const DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

const [stateRoot = "", host = "", name = "", id = ""] = process.argv.slice(2);
const paths = hostPaths(stateRoot, host);
const stateFile = containerFile(paths, name);
const loaded = readJsonFileSync<ContainerRecord>(stateFile);
if (!loaded || loaded.id !== id) {
  process.stderr.write(`supervisor: no container ${name} with id ${id}\n`);
  process.exit(1);
}
const record: ContainerRecord = loaded;
const logPath = containerLogFile(paths, id);
let bot: ChildProcess | null = null;
let restartTimer: NodeJS.Timeout | null = null;
let delayMs = 0;
let stopping = false;

const now = () => new Date().toISOString();
const save = () => writeJsonAtomicSync(stateFile, record);

function botEnv(): NodeJS.ProcessEnv {
  // Only the container's own environment: nothing of the host's leaks in, as with a real container.
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? DEFAULT_PATH, ...envToObject(record.env) };
  env.HOST = host;
  const port = record.ports[0];
  if (port) env.PORT = String(port.hostPort);
  env.BOT_VARIANT = record.variant;
  env.BOT_RECORD_FILE = recordFile(paths, name);
  return env;
}

function exitCodeOf(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  return 128 + (signal ? (constants.signals[signal] ?? 0) : 0);
}

function onBotExit(exitCode: number, oomKilled: boolean, ranForMs: number, error = ""): void {
  bot = null;
  record.bot = null;
  // As docker: an "oom" event for a kill by the memory limit, then "die" with the exit code.
  if (oomKilled) appendEventSync(paths, containerEvent(record, "oom"));
  appendEventSync(paths, containerEvent(record, "die", { exitCode: String(exitCode), execDuration: String(Math.floor(ranForMs / 1000)) }));
  record.state = { ...exitedState(record.state, exitCode, now()), OOMKilled: oomKilled, Error: error };
  if (shouldRestart(record.restartPolicy, exitCode, record.restartCount, stopping)) {
    delayMs = nextRestartDelay(delayMs, ranForMs);
    record.restartCount += 1;
    record.state = { ...record.state, Status: "restarting", Running: true, Restarting: true };
    save();
    restartTimer = setTimeout(() => {
      restartTimer = null;
      startBot();
    }, delayMs);
    return;
  }
  record.supervisor = null;
  save();
  process.exit(0);
}

function startBot(): void {
  const startedAt = Date.now();
  const entry = botEntryScript();
  const child = spawn(process.execPath, [entry], { cwd: dirname(entry), env: botEnv(), stdio: ["ignore", "pipe", "pipe"] });
  bot = child;
  const stdout = new LineCollector(logPath, "stdout");
  const stderr = new LineCollector(logPath, "stderr");
  child.stdout?.on("data", (chunk: Buffer) => stdout.push(chunk));
  child.stderr?.on("data", (chunk: Buffer) => stderr.push(chunk));
  let oomKilled = false;
  let finished = false;
  let sampler: NodeJS.Timeout | null = null;
  const finish = (exitCode: number, error = "") => {
    if (finished) return;
    finished = true;
    if (sampler) clearTimeout(sampler);
    stdout.flush();
    stderr.flush();
    onBotExit(oomKilled ? 137 : exitCode, oomKilled, Date.now() - startedAt, error);
  };
  // docker's --memory is a cgroup limit; here the supervisor watches RSS and kills like the OOM
  // killer, sampling more often the nearer the bot is to its limit (memory-sampling.ts).
  const limit = record.memoryBytes;
  const pid = child.pid;
  const sample = () => {
    if (finished || oomKilled || pid === undefined) return;
    const rss = readRssBytes(pid);
    if (rss !== null && rss > limit) {
      oomKilled = true;
      child.kill("SIGKILL");
      return;
    }
    sampler = setTimeout(sample, nextSampleDelayMs(rss, limit));
  };
  if (limit > 0 && pid !== undefined) sampler = setTimeout(sample, SAMPLE_MIN_MS);
  child.on("close", (code, signal) => finish(exitCodeOf(code, signal)));
  child.on("error", (error) => finish(127, error.message));
  if (child.pid === undefined) return;
  record.bot = processHandle(child.pid) ?? { pid: child.pid, startTime: "" };
  // Like docker's SetRunning: a fresh start clears the previous OOM flag and exit code.
  record.state = {
    ...record.state,
    Status: "running",
    Running: true,
    Restarting: false,
    OOMKilled: false,
    Pid: child.pid,
    ExitCode: 0,
    Error: "",
    StartedAt: new Date(startedAt).toISOString(),
  };
  save();
  appendEventSync(paths, containerEvent(record, "start", {}, startedAt));
}

/** docker stop: SIGTERM asks the bot to finish; SIGUSR1 is the CLI's escalation to SIGKILL. */
function stop(botSignal: NodeJS.Signals): void {
  stopping = true;
  record.manuallyStopped = true;
  if (bot) {
    bot.kill(botSignal);
    return;
  }
  if (restartTimer) clearTimeout(restartTimer);
  record.state = { ...record.state, Status: "exited", Running: false, Restarting: false, Pid: 0 };
  record.supervisor = null;
  save();
  process.exit(0);
}

process.on("SIGTERM", () => stop("SIGTERM"));
process.on("SIGINT", () => stop("SIGTERM"));
process.on("SIGUSR1", () => stop("SIGKILL"));
process.on("SIGHUP", () => {}); // a closing SSH session must not take containers down
process.on("uncaughtException", (error) => {
  process.stderr.write(`supervisor: ${error.stack ?? error.message}\n`);
  bot?.kill("SIGKILL");
  record.state = { ...exitedState(record.state, 128, now()), Error: `sandbox supervisor: ${error.message}` };
  record.supervisor = null;
  record.bot = null;
  save();
  process.exit(1);
});

mkdirSync(paths.logs, { recursive: true });
mkdirSync(paths.records, { recursive: true });
record.supervisor = processHandle(process.pid);
record.manuallyStopped = false;
record.restartCount = 0;
startBot();
