// The seed's deployment checklist as data: one line per check, each a pure verdict on what the
// rehearsal observed, with the evidence an operator needs to act on it.
import { containerVerdict } from "../domain/gates.js";
import type { ContainerFacts } from "../domain/types.js";
import type { HttpResponse } from "../ports.js";

export const CHECK_IDS = ["build", "start", "port", "health", "updates", "webhook", "memory", "stop"] as const;
export type CheckId = (typeof CHECK_IDS)[number];

/** "unobservable": the rehearsal could not see it (e.g. the API base is not redirected); it does not fail the run. */
export type CheckStatus = "pass" | "fail" | "skip" | "unobservable";

export interface CheckLine {
  id: CheckId;
  title: string;
  status: CheckStatus;
  evidence: string;
}

/** The seed's own wording, one line per item of its checklist. */
export const TITLES: Record<CheckId, string> = {
  build: "run the full Docker build locally",
  start: "the webhook entry point exists: the container starts and stays up",
  port: "the port configuration matches",
  health: "the health endpoint answers as configured",
  updates: "every bot command is answered",
  webhook: "the bot leaves the webhook to bluegreen (no setWebhook, deleteWebhook, getUpdates)",
  memory: "memory usage stays below the limit under load",
  stop: "docker stop ends it within stopTimeout",
};

export const line = (id: CheckId, status: CheckStatus, evidence: string): CheckLine => ({ id, title: TITLES[id], status, evidence });

export const skipped = (id: CheckId, why: string): CheckLine => line(id, "skip", why);

export function passed(lines: readonly CheckLine[]): boolean {
  return lines.every((l) => l.status !== "fail" && l.status !== "skip");
}

/** Start: up for the whole settle window, never restarted, never exited. */
export function startLine(c: ContainerFacts | undefined, settleMs: number, logs: string | undefined): CheckLine {
  const v = containerVerdict(c, 0);
  if (v.kind === "ok") return line("start", "pass", `running for ${Math.round(settleMs / 100) / 10}s with no restart and no exit`);
  const tail = logs === undefined || logs === "" ? "" : `\n${logs}`;
  return line("start", "fail", `${v.kind === "fail" ? v.reason : "not running"}${tail}`);
}

/** Listening TCP ports in /proc/net/tcp{,6} text (state 0A = LISTEN). */
export function listeningPorts(tables: string): number[] {
  const ports = new Set<number>();
  for (const row of tables.split("\n")) {
    const f = row.trim().split(/\s+/);
    if (f.length < 4 || f[3] !== "0A") continue;
    const port = Number.parseInt(f[1]?.split(":")[1] ?? "", 16);
    if (Number.isInteger(port) && port > 0) ports.add(port);
  }
  return [...ports].sort((a, b) => a - b);
}

export interface PortObservation {
  containerPort: number;
  hostPort: number;
  address: string;
  /** Ports something listens on inside the container; null when that cannot be seen. */
  inside: number[] | null;
  hostAnswer: HttpResponse | Error;
}

export function portLine(o: PortObservation): CheckLine {
  const where = `${o.address}:${o.hostPort}`;
  const answered = !(o.hostAnswer instanceof Error);
  const host = answered ? `${where} answered (HTTP ${(o.hostAnswer as HttpResponse).status})` : `${where} did not answer (${(o.hostAnswer as Error).message})`;
  if (o.inside === null) return line("port", answered ? "pass" : "fail", `${host}; what listens inside is not observable`);
  const listensThere = o.inside.includes(o.containerPort);
  const inside = listensThere
    ? `the process listens on ${o.containerPort} (container.port)`
    : `nothing listens on container.port ${o.containerPort}${o.inside.length > 0 ? `; the process listens on ${o.inside.join(", ")}` : ""}`;
  return line("port", listensThere && answered ? "pass" : "fail", `${inside}; ${host}`);
}

export function healthLine(path: string, res: HttpResponse | Error, verdictReason: string | null): CheckLine {
  const got = res instanceof Error ? res.message : `${res.status} ${res.body.trim().slice(0, 200)}`;
  return verdictReason === null ? line("health", "pass", `GET ${path} -> ${got}`) : line("health", "fail", `${verdictReason} (${got})`);
}

export interface UpdateResult {
  name: string;
  status: number | null;
  error?: string;
  ms: number;
}

export function updatesLine(results: readonly UpdateResult[], replies: readonly string[] | null, timeoutMs: number): CheckLine {
  const bad = results.filter((r) => r.status === null || r.status < 200 || r.status > 299);
  const slowest = Math.max(0, ...results.map((r) => r.ms));
  const replyText =
    replies === null
      ? "replies not observable (rehearse.apiBaseEnv is not set)"
      : replies.length === 0
        ? "no replies sent"
        : `replies: ${replies
            .slice(0, 6)
            .map((r) => JSON.stringify(r))
            .join(", ")}${replies.length > 6 ? ` (+${replies.length - 6})` : ""}`;
  if (bad.length === 0)
    return line("updates", "pass", `${results.length} updates answered 2xx within ${timeoutMs / 1000}s (slowest ${slowest} ms); ${replyText}`);
  const why = bad.map((r) => `${r.name}: ${r.status === null ? (r.error ?? "no answer") : `HTTP ${r.status}`}`);
  return line(
    "updates",
    "fail",
    `${bad.length} of ${results.length} updates not answered 2xx within ${timeoutMs / 1000}s: ${why.slice(0, 5).join("; ")}${why.length > 5 ? "; ..." : ""}`,
  );
}

/** Bot API methods only bluegreen may call: a bot that does takes production's webhook with it. */
export const WEBHOOK_METHODS = ["setwebhook", "deletewebhook", "getupdates"];

export function webhookLine(calls: readonly string[] | null): CheckLine {
  if (calls === null) return line("webhook", "unobservable", "not observable: set rehearse.apiBaseEnv to the variable the bot reads its Bot API base from");
  const bad = calls.filter((m) => WEBHOOK_METHODS.includes(m.toLowerCase()));
  if (bad.length === 0) return line("webhook", "pass", `no webhook calls at start-up, during the updates or on stop (${calls.length} Bot API calls in all)`);
  const counts = [...new Set(bad)].map((m) => `${m} x${bad.filter((b) => b === m).length}`);
  return line("webhook", "fail", `the bot called ${counts.join(", ")}: in production that replaces or deletes the webhook bluegreen manages`);
}

const mib = (bytes: number): string => `${Math.round((bytes / 2 ** 20) * 10) / 10} MiB`;

export function memoryLine(peak: number | null, maxBytes: number, killed: string | null): CheckLine {
  if (killed !== null) return line("memory", "fail", killed);
  if (peak === null) return line("memory", "fail", "no memory sample (docker stats answered nothing)");
  const text = `peak ${mib(peak)} under load, gates.maxMemory ${mib(maxBytes)}`;
  return line("memory", peak < maxBytes ? "pass" : "fail", text);
}

/** docker's own round trips on top of the timeout. */
const STOP_SLACK_MS = 1_000;

export function stopLine(o: { code: number; stderr: string; elapsedMs: number; stopTimeoutMs: number; exitCode: number | null }): CheckLine {
  if (o.code !== 0) return line("stop", "fail", `docker stop exited ${o.code}: ${o.stderr.trim().slice(0, 200)}`);
  const secs = `${Math.round(o.elapsedMs / 100) / 10}s`;
  // docker stop SIGKILLs after the timeout: exit 137 means SIGTERM was not enough.
  if (o.exitCode === 137 || o.elapsedMs > o.stopTimeoutMs + STOP_SLACK_MS) {
    return line(
      "stop",
      "fail",
      `it did not stop on SIGTERM within stopTimeout ${o.stopTimeoutMs / 1000}s (took ${secs}, exit code ${o.exitCode ?? "?"}): docker killed it`,
    );
  }
  return line("stop", "pass", `stopped in ${secs} (exit code ${o.exitCode ?? "?"}), within stopTimeout ${o.stopTimeoutMs / 1000}s`);
}
