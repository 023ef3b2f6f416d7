// `rehearse ENV --image REF`: the seed's deployment checklist against the real image on a local
// Docker engine (the sandbox's docker stand-in for a sandbox environment), with the release's own
// `docker run`, the bot's Bot API pointed at the embedded Telegram emulator. Changes nothing remote.
import { existsSync, statSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { LocalHostConnector } from "../../adapters/local-host.js";
import type { Config } from "../../config/index.js";
import { BluegreenError, ConfigError, PreflightError, UsageError } from "../../errors.js";
import { systemClock } from "../../orchestrator/connect.js";
import type { ConnectedHost } from "../../orchestrator/context.js";
import type { Settings } from "../../orchestrator/settings.js";
import { settingsFromConfig } from "../../orchestrator/settings-from-config.js";
import { containerEnvFor } from "../../orchestrator/stage.js";
import { type BotApiObserver, type Engine, REHEARSAL_COLOUR, type RehearsalResult, rehearse as runRehearsal } from "../../rehearse/run.js";
import { builtinUpdates, updatesFromDir } from "../../rehearse/updates.js";
import { docker, parseBridgeGateway } from "../../remote/docker.js";
import { sandboxPaths } from "../../sandbox/paths.js";
import { sandboxDockerRunner } from "../../sandbox/runtime/in-process.js";
import { startTelegramEmulator, type TelegramEmulator } from "../../sandbox/telegram/index.js";
import type { Parsed } from "../args.js";
import { expectPositionals } from "../args.js";
import { imageRefFor, type LoadedEnv, loadEnv, newReleaseId } from "../env.js";
import { EXIT } from "../exit-codes.js";
import type { Output } from "../output.js";

/** Stand-ins for the secrets (unless --with-secrets): recognisable, and useless anywhere else. */
export const REHEARSAL_BOT_TOKEN = "7000000099:REHEARSAL-bot-token-aaaaaaaaaaaaaaaaaaaa";
export const REHEARSAL_WEBHOOK_SECRET = "REHEARSAL-webhook-secret";
/** The sandbox "machine" the rehearsal runs on (its hosts are 127.0.1.N). */
const SANDBOX_REHEARSAL_HOST = "127.0.3.1";

/** The engine this machine reaches: the sandbox's stand-in for a sandbox environment, else `docker` as it is. */
async function connectEngine(config: Config, configFile: string): Promise<{ engine: Engine; version: string }> {
  let env: Record<string, string> = {};
  const sandboxHost = process.env.BLUEGREEN_REHEARSE_SANDBOX_HOST || SANDBOX_REHEARSAL_HOST;
  if (config.hosts.ssh.transport === "local") {
    const paths = sandboxPaths(dirname(dirname(resolve(configFile))));
    const own = process.env.BLUEGREEN_SANDBOX_STATE;
    env =
      own !== undefined && own !== ""
        ? { BLUEGREEN_SANDBOX_STATE: own }
        : { PATH: `${paths.bin}:${process.env.PATH ?? ""}`, BLUEGREEN_SANDBOX_STATE: paths.runtime };
    env.BLUEGREEN_SANDBOX_HOST = sandboxHost;
  }
  // A sandbox environment runs the sandbox's docker stand-in in this process (as `release` does); any other engine is a process.
  const connector = new LocalHostConnector({
    env,
    commandTimeoutMs: 60_000,
    ...(config.hosts.ssh.transport === "local" ? { inProcessDocker: sandboxDockerRunner() } : {}),
  });
  const remote = await connector.connect({ instanceId: "local", address: "127.0.0.1" });
  const v = await remote.exec(docker.version(), { timeoutMs: 30_000 });
  if (v.code !== 0) {
    const why = v.code === 127 ? "the docker command is not installed" : (v.stderr.trim().split("\n")[0] ?? `docker version exited ${v.code}`);
    throw new PreflightError(
      `rehearse needs a Docker engine on this machine, and none is reachable: ${why}`,
      config.hosts.ssh.transport === "local"
        ? "start the sandbox first (`bluegreen sandbox up`), or run rehearse where Docker runs"
        : "start Docker (or point DOCKER_HOST at a reachable engine) and run it again; in CI use a runner with Docker (GitHub's ubuntu-latest has it)",
    );
  }
  const version = v.stdout.trim();
  const sandbox = version.endsWith("-sandbox");
  const address = sandbox ? sandboxHost : engineAddress(process.env.DOCKER_HOST);
  const host = sandbox ? await connector.connect({ instanceId: "local", address }) : remote;
  const connected: ConnectedHost = { instanceId: sandbox ? `sandbox ${address}` : "local", address, remote: host };
  return { engine: { host: connected, address, sandbox }, version };
}

/** Published ports answer on the engine's machine: DOCKER_HOST's host for tcp://, else this machine. */
export function engineAddress(dockerHost: string | undefined): string {
  if (dockerHost === undefined || !/^(tcp|https?):\/\//.test(dockerHost)) return "127.0.0.1";
  try {
    return new URL(dockerHost.replace(/^tcp:/, "http:")).hostname || "127.0.0.1";
  } catch {
    return "127.0.0.1";
  }
}

/** The embedded Telegram emulator, where the containers can reach it: the bridge gateway on an engine, loopback in the sandbox. */
async function startBotApi(
  engine: Engine,
  token: string,
  username: string | undefined,
  out: Output,
): Promise<{ observer: BotApiObserver; emulator?: TelegramEmulator }> {
  const none: BotApiObserver = { apiBase: null, calls: () => null, replies: () => null };
  let listenOn = "127.0.0.1";
  if (!engine.sandbox) {
    const g = await engine.host.remote.exec(docker.bridgeGateway());
    const gateway = g.code === 0 ? parseBridgeGateway(g.stdout) : null;
    if (gateway === null) {
      out.step({
        step: "telegram",
        status: "info",
        message: "no docker bridge gateway to serve the Telegram emulator on: webhook calls and replies are not observable",
      });
      return { observer: none };
    }
    listenOn = gateway;
  }
  try {
    const emulator = await startTelegramEmulator({ host: listenOn, bots: [{ token, id: Number(token.split(":")[0]), username: username ?? "rehearsal_bot" }] });
    return {
      emulator,
      observer: {
        apiBase: emulator.url,
        calls: () => emulator.control.getCalls().map((c) => c.method),
        replies: () => emulator.control.getMessages(token).map((m) => m.text),
      },
    };
  } catch (e) {
    out.step({
      step: "telegram",
      status: "info",
      message: `cannot serve the Telegram emulator on ${listenOn} (${(e as Error).message}): webhook calls and replies are not observable`,
    });
    return { observer: none };
  }
}

/**
 * The secrets a rehearsal replaces anyway need not be exported: an unset one gets a stand-in of the
 * right shape (by the field that references it). null when some error is not an unset variable.
 */
export function standInsFor(errors: readonly string[]): Record<string, string> | null {
  const out: Record<string, string> = {};
  for (const e of errors) {
    const m = /^([\w.]+): environment variable ([A-Z_][A-Z0-9_]*) is not set/.exec(e);
    if (m === null) return null;
    const [, path = "", name = ""] = m;
    const value = /(^|\.)botToken$/.test(path)
      ? REHEARSAL_BOT_TOKEN
      : path === "telegram.webhook.secretToken"
        ? REHEARSAL_WEBHOOK_SECRET
        : path === "hosts.ssh.privateKey"
          ? "/dev/null"
          : undefined;
    if (value !== undefined || out[name] === undefined) out[name] = value ?? `rehearsal-${name.toLowerCase()}`;
  }
  return out;
}

async function loadForRehearsal(name: string, flags: Parsed["flags"], out: Output): Promise<LoadedEnv> {
  try {
    return await loadEnv(name, flags);
  } catch (e) {
    const standIns = !flags.withSecrets && e instanceof ConfigError ? standInsFor(e.errors) : null;
    if (standIns === null) throw e;
    // This process only: nothing it runs outlives it, and the container gets rehearsal values anyway.
    for (const [k, v] of Object.entries(standIns)) process.env[k] = v;
    out.step({
      step: "secrets",
      status: "info",
      message: `not set, so stand-ins are used (the rehearsal needs no real secret): ${Object.keys(standIns).join(", ")}`,
    });
    return loadEnv(name, flags);
  }
}

/** The env file: the environment's variables; each secret a rehearsal value unless --with-secrets. */
export function rehearsalEnv(
  config: Config,
  settings: Settings,
  releaseId: string,
  withSecrets: boolean,
  api: { name?: string | undefined; base: string | null },
): Record<string, string> {
  const env = containerEnvFor(settings, { colour: REHEARSAL_COLOUR, releaseId });
  if (!withSecrets) {
    for (const name of Object.keys(config.container.secrets)) {
      const value = env[name];
      env[name] =
        value === config.telegram.botToken
          ? REHEARSAL_BOT_TOKEN
          : value === config.telegram.webhook?.secretToken
            ? REHEARSAL_WEBHOOK_SECRET
            : `rehearsal-${name.toLowerCase()}`;
    }
  }
  if (api.name !== undefined && api.base !== null) env[api.name] = api.base;
  return env;
}

function report(out: Output, environment: string, image: string, r: RehearsalResult): number {
  const exitCode = r.passed ? EXIT.ok : EXIT.failed;
  if (out.o.json) {
    out.json({
      type: "result",
      command: "rehearse",
      environment,
      outcome: r.passed ? "passed" : "failed",
      exitCode,
      image,
      checks: r.lines,
      runArgv: r.runArgv,
    });
    return exitCode;
  }
  out.line(`Checklist for ${image} (${environment}):`);
  for (const l of r.lines) {
    const [first, ...more] = l.evidence.split("\n");
    const mark = l.status === "pass" ? "✔" : l.status === "fail" ? "✖" : l.status === "skip" ? "↷" : "?";
    out.line(`  ${mark} ${l.title}: ${first ?? ""}`);
    for (const m of more) out.line(`      | ${m}`);
  }
  if (r.passed) out.line(`✔ rehearsal passed: every line of the checklist holds for ${image}`);
  else {
    const failed = r.lines.filter((l) => l.status === "fail").map((l) => l.id);
    out.error(`✖ rehearsal failed (${failed.join(", ") || "checks skipped"}): do not release ${image} until it passes`);
  }
  return exitCode;
}

export async function rehearse(p: Parsed, out: Output): Promise<number> {
  try {
    return await rehearseCommand(p, out);
  } catch (e) {
    if (e instanceof BluegreenError) throw e;
    // Nothing remote was touched and the local container is removed: "failed", not "needs a human".
    throw new PreflightError(
      `the rehearsal could not finish: ${e instanceof Error ? e.message : String(e)}`,
      "fix the cause and run it again; no release was touched",
    );
  }
}

async function rehearseCommand(p: Parsed, out: Output): Promise<number> {
  const [envName] = expectPositionals(p, ["ENV"]);
  const f = p.flags;
  if (f.image === undefined)
    throw new UsageError("rehearse needs --image REF", "e.g. bluegreen rehearse production --image v2 (with --build DIR, the tag to build)");
  if (f.file !== undefined && f.build === undefined) throw new UsageError("--file needs --build DIR", "e.g. --build . --file Dockerfile.aws");
  const env = await loadForRehearsal(envName ?? "", f, out);
  const config = env.config;
  if (config.telegram.mode === "polling") {
    throw new UsageError(
      `rehearse checks a webhook bot's HTTP server (port, /health, updates POSTed to it); ${config.environment} is in polling mode`,
      "rehearse a polling bot by releasing it to a sandbox environment in polling mode (see environments/local-polling.yaml)",
    );
  }
  if (f.withSecrets && config.rehearse.apiBaseEnv === undefined) {
    throw new UsageError(
      "--with-secrets needs rehearse.apiBaseEnv: without it the bot would call the real Bot API with the real token",
      "set rehearse.apiBaseEnv to the variable the bot reads its API base from (e.g. TELEGRAM_API_BASE), or rehearse without --with-secrets",
    );
  }
  // A self-signed certificate is only uploaded with setWebhook: the rehearsal never needs the file.
  const settings = await settingsFromConfig({
    ...config,
    telegram: { ...config.telegram, webhook: config.telegram.webhook === undefined ? undefined : { ...config.telegram.webhook, certificate: undefined } },
  });
  const image = imageRefFor(settings.container.repository, f.image);
  let build: { dir: string; file: string } | undefined;
  if (f.build !== undefined) {
    const dir = resolve(f.build);
    if (!existsSync(dir) || !statSync(dir).isDirectory())
      throw new UsageError(`--build ${f.build}: not a folder`, "pass the build context folder, e.g. --build .");
    const file = f.file !== undefined ? resolve(f.file) : join(dir, "Dockerfile");
    if (!existsSync(file))
      throw new UsageError(
        `${f.file !== undefined ? `--file ${f.file}` : `${file}`}: no such Dockerfile`,
        "pass the Dockerfile with --file (e.g. --file Dockerfile.aws)",
      );
    build = { dir, file };
  }
  const updates = [
    ...builtinUpdates(),
    ...config.gates.smokeUpdates.map((path, i) => ({ name: basename(path), body: settings.gates.smokeUpdates[i] ?? "" })),
    ...(f.updates !== undefined ? await updatesFromDir(resolve(f.updates)) : []),
  ];

  const { engine, version } = await connectEngine(config, env.file);
  if (engine.sandbox && build !== undefined)
    throw new UsageError("the sandbox's docker stand-in cannot build images", "run --build where a Docker engine runs, or rehearse an existing tag");
  out.step({
    step: "engine",
    status: "info",
    message: `Docker ${version}${engine.sandbox ? " (the sandbox's stand-in)" : ""}; published ports on ${engine.address}`,
  });
  const token = f.withSecrets ? config.telegram.botToken : REHEARSAL_BOT_TOKEN;
  const api =
    config.rehearse.apiBaseEnv !== undefined
      ? await startBotApi(engine, token, config.telegram.expectBotUsername, out)
      : { observer: { apiBase: null, calls: () => null, replies: () => null } as BotApiObserver };
  const dir = await mkdtemp(join(tmpdir(), "bluegreen-rehearse-"));
  try {
    const releaseId = `rehearsal-${newReleaseId()}`;
    const result = await runRehearsal(
      {
        settings,
        env: rehearsalEnv(config, settings, releaseId, f.withSecrets, { name: config.rehearse.apiBaseEnv, base: api.observer.apiBase }),
        image,
        releaseId,
        envFile: join(dir, `${settings.container.name}-${REHEARSAL_COLOUR}.env`),
        settleMs: config.rehearse.settle,
        build,
        updates,
        webhookSecret: settings.webhook.secretToken === undefined ? undefined : f.withSecrets ? settings.webhook.secretToken : REHEARSAL_WEBHOOK_SECRET,
      },
      engine,
      api.observer,
      systemClock,
      out,
    );
    return report(out, config.environment, image, result);
  } finally {
    await api.emulator?.stop();
    await rm(dir, { recursive: true, force: true });
    await engine.host.remote.close();
  }
}
