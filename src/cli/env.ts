// Loading an environment for a command: config -> secrets registered for redaction -> Ctx.
import { randomBytes } from "node:crypto";
import { processCalls } from "../adapters/call-count.js";
import { type Config, loadEnvironment, referencedFileErrors } from "../config/index.js";
import { ConfigError, PreflightError, UsageError } from "../errors.js";
import { connectCtx, systemClock } from "../orchestrator/connect.js";
import type { Ctx } from "../orchestrator/context.js";
import { settingsFromConfig } from "../orchestrator/settings-from-config.js";
import type { Reporter } from "../ports.js";
import { SANDBOX_BOT_TOKEN, SANDBOX_CANARY_BOT_TOKEN, SANDBOX_POLLING_BOT_TOKEN, SANDBOX_PORTS, SANDBOX_WEBHOOK_SECRET } from "../sandbox/paths.js";
import { formatDuration } from "../util/duration.js";
import { registerSecret } from "../util/redact.js";
import type { Flags } from "./args.js";
import { realPorts } from "./real-ports.js";
import { cancelSignal } from "./signals.js";

export interface LoadedEnv {
  config: Config;
  file: string;
}

/** The sandbox's fake secrets, so `bluegreen release local` works without exporting anything. */
export function applySandboxDefaults(env: NodeJS.ProcessEnv): void {
  env.BLUEGREEN_SANDBOX_BOT_TOKEN ??= SANDBOX_BOT_TOKEN;
  env.BLUEGREEN_SANDBOX_POLLING_BOT_TOKEN ??= SANDBOX_POLLING_BOT_TOKEN;
  env.BLUEGREEN_SANDBOX_CANARY_BOT_TOKEN ??= SANDBOX_CANARY_BOT_TOKEN;
  env.BLUEGREEN_SANDBOX_WEBHOOK_SECRET ??= SANDBOX_WEBHOOK_SECRET;
}

export async function loadEnv(nameOrPath: string, flags: Flags): Promise<LoadedEnv> {
  applySandboxDefaults(process.env);
  const r = await loadEnvironment(nameOrPath, { ...(flags.configDir !== undefined ? { configDir: flags.configDir } : {}), env: process.env });
  if (!r.ok) throw new ConfigError(r.errors, r.remedy);
  for (const s of r.secrets) registerSecret(s);
  // A missing or broken key, known_hosts, certificate or smoke update is a configuration error
  // found before anything is touched (exit 64), not a failure in the middle of the run.
  const files = await referencedFileErrors(r.config);
  if (files.length > 0) throw new ConfigError(files.map((e) => `${r.file}: ${e}`));
  return { config: r.config, file: r.file };
}

/**
 * --bake replaces gates.bake for one run, so it obeys the file's rule (gates.bake >= gates.interval:
 * at least one check): `--bake 0s` used to pass and bake for as long as the evidence rule dragged it.
 * Checked right after the environment loads, before any prompt or remote call.
 */
export function checkBakeOverride(config: Config, flags: Pick<Flags, "bakeMs">): void {
  const interval = config.gates.interval;
  if (flags.bakeMs === undefined || flags.bakeMs >= interval) return;
  throw new UsageError(
    `--bake ${formatDuration(flags.bakeMs)} is shorter than gates.interval (${formatDuration(interval)}) of ${config.environment}; the bake must last at least one check; nothing was touched`,
    `pass --bake ${formatDuration(interval)} or longer, or leave --bake out to bake for gates.bake (${formatDuration(config.gates.bake)})`,
  );
}

export async function openCtx(
  env: LoadedEnv,
  reporter: Reporter,
  opts: {
    requireHealthyInstances: boolean;
    bakeMs?: number | undefined;
    tolerateUnreachable?: boolean;
    /** A command that reads the world and takes no lock (`status`): see realPorts. */
    readOnly?: boolean;
  },
): Promise<Ctx> {
  const settings = await settingsFromConfig(env.config, opts.bakeMs !== undefined ? { bakeMs: opts.bakeMs } : {});
  const ports = await realPorts(env.config, env.file, { readOnly: opts.readOnly === true });
  processCalls.mark("connect");
  const ctx = await connectCtx(settings, ports, systemClock, ledgerMarks(reporter), {
    addressType: env.config.hosts.address,
    requireHealthyInstances: opts.requireHealthyInstances,
    tolerateUnreachable: opts.tolerateUnreachable === true,
  }).catch((e: unknown) => {
    throw sandboxNotRunning(env.config, e) ?? e;
  });
  const cancel = cancelSignal();
  if (cancel !== undefined) ctx.cancel = cancel;
  return ctx;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|\[?::1\]?)$/;

/**
 * A refused connection to the embedded sandbox's own endpoint (a `transport: local` environment whose
 * AWS endpoint or Telegram apiBase is a loopback address on the sandbox's fixed port) means the
 * sandbox is not running: the same error keeps its text, with `bluegreen sandbox up` as the remedy
 * instead of the AWS credentials. Any other endpoint keeps its own remedy (a real one is never guessed at).
 */
export function sandboxNotRunning(config: Config, e: unknown, ports: { aws: number; telegram: number } = SANDBOX_PORTS): PreflightError | null {
  if (config.hosts.ssh.transport !== "local" || !(e instanceof Error)) return null;
  const refused = /ECONNREFUSED (\S+):(\d+)\b/.exec(e.message);
  if (refused === null) return null;
  const sandboxEndpoints = [
    [config.aws.endpoint, ports.aws],
    [config.telegram.apiBase, ports.telegram],
  ] as const;
  const hit = sandboxEndpoints.some(([url, port]) => {
    if (url === undefined || !URL.canParse(url)) return false;
    const u = new URL(url);
    const host = u.hostname.replace(/^\[|\]$/g, "");
    const refusedHost = (refused[1] ?? "").replace(/^\[|\]$/g, "");
    return (
      LOOPBACK.test(host) &&
      Number(u.port) === port &&
      Number(refused[2]) === port &&
      (refusedHost === host || (host === "localhost" && LOOPBACK.test(refusedHost)))
    );
  });
  if (!hit) return null;
  return new PreflightError(
    e.message,
    "the sandbox is not running here: start it with `bluegreen sandbox up` (in this folder, or with the same --config-dir); `bluegreen sandbox status` says whether another folder's sandbox holds its ports",
  );
}

/**
 * The call ledger's steps (call-count.ts): a run-wide step's start, and its end (the reads that
 * follow a step are the observe after it). Per-host events and notes do not split the ledger.
 */
function ledgerMarks(reporter: Reporter): Reporter {
  return {
    step: (e) => {
      if (e.host === undefined && e.status !== "info") processCalls.mark(e.status === "start" ? e.step : `after ${e.step}`);
      reporter.step(e);
    },
  };
}

export function newReleaseId(now = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
  return `r${stamp}-${randomBytes(2).toString("hex")}`;
}

const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;
const TAG_REMEDY = "tags use letters, digits, _ . and - (at most 128, not starting with . or -), e.g. --image v2; a digest is --image @sha256:<64 hex>";

/** --image: a tag or digest of the configured repository, or that repository spelled out with one. */
export function imageRefFor(repository: string, ref: string): string {
  const r = ref.trim();
  if (r === "") throw new UsageError("--image is empty", "pass a tag (e.g. --image v2) or a digest (--image @sha256:...)");
  if (DIGEST.test(r)) return `${repository}@${r}`;
  if (r.startsWith("@")) {
    if (!DIGEST.test(r.slice(1)))
      throw new UsageError(`--image ${JSON.stringify(ref)}: not a sha256 digest`, "a digest is @sha256: followed by 64 lowercase hex characters");
    return `${repository}${r}`;
  }
  if (r.startsWith(":")) {
    if (!TAG.test(r.slice(1)))
      throw new UsageError(`--image ${JSON.stringify(ref)}: not a valid tag`, "tags use letters, digits, _ . and - (at most 128, not starting with . or -)");
    return `${repository}${r}`;
  }
  if (TAG.test(r)) return `${repository}:${r}`;
  // A character no reference can hold ("Bad:Tag!", "v1 v2") would otherwise be read as a repository
  // name and reported as the wrong repository (review s9 F14): say the reference is invalid.
  const invalid = [...new Set(r.match(/[^A-Za-z0-9._\-/:@]/gu) ?? [])];
  if (invalid.length > 0)
    throw new UsageError(
      `--image ${JSON.stringify(ref)}: not a valid tag or image reference (${invalid.map((c) => JSON.stringify(c)).join(", ")} ${invalid.length === 1 ? "is" : "are"} not allowed)`,
      TAG_REMEDY,
    );
  // One word without a repository's ":", "/" or "@" is meant as a tag (".v2", "-v2", 129 characters).
  if (!/[/:@]/.test(r)) throw new UsageError(`--image ${JSON.stringify(ref)}: not a valid tag`, TAG_REMEDY);
  // repository[:tag][@sha256:digest]; a registry host may carry a port (localhost:5000/bot), so the
  // tag's colon is looked for only after the last slash.
  const at = r.indexOf("@");
  const beforeDigest = at >= 0 ? r.slice(0, at) : r;
  const digest = at >= 0 ? r.slice(at + 1) : undefined;
  const colon = beforeDigest.indexOf(":", beforeDigest.lastIndexOf("/") + 1);
  const name = colon >= 0 ? beforeDigest.slice(0, colon) : beforeDigest;
  const tag = colon >= 0 ? beforeDigest.slice(colon + 1) : undefined;
  if (name !== repository) {
    throw new UsageError(
      `--image ${JSON.stringify(ref)}: repository ${JSON.stringify(name)} is not this environment's (${repository})`,
      "pass just the tag or digest, or fix container.image in the environment file",
    );
  }
  if ((tag === undefined && digest === undefined) || (tag !== undefined && !TAG.test(tag)) || (digest !== undefined && !DIGEST.test(digest))) {
    throw new UsageError(`--image ${JSON.stringify(ref)}: not a valid tag or digest`, "use repository:tag or repository@sha256:<64 hex>");
  }
  return r;
}

export function assertConfirmed(config: Config, flags: Flags, isTty: boolean): "ok" | "prompt" {
  if (!config.protected || flags.yes) return "ok";
  if (!isTty) throw new UsageError(`${config.environment} is protected and there is no terminal to confirm on`, "pass --yes to confirm (e.g. in CI)");
  return "prompt";
}
