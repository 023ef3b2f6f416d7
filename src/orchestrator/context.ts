// Everything one command works with: the settings, the ports, and the hosts it is connected to.
import type { Colour } from "../domain/types.js";
import type { Clock, ExecResult, LoadBalancer, Monitoring, RemoteHost, Reporter, TargetGroupView, Telegram, WebhookInfo } from "../ports.js";
import type { PortActivity } from "./port-guard.js";
import type { Settings } from "./settings.js";

export interface ConnectedHost {
  instanceId: string;
  address: string;
  remote: RemoteHost;
}

export interface Ctx {
  settings: Settings;
  lb: LoadBalancer;
  telegram: Telegram;
  clock: Clock;
  reporter: Reporter;
  hosts: ConnectedHost[];
  listenerArn: string;
  targetGroups: Record<Colour, TargetGroupView>;
  /** Hosts that did not answer when connecting (status, plan, history and rollback go on without them). */
  unreachable?: UnreachableHost[];
  /** CloudWatch, read only when gates.alarms or gates.metrics are configured. */
  monitoring?: Monitoring;
  /** The last getWebhookInfo answer, used by observe while Telegram does not answer (the bake counts those misses). */
  lastWebhook?: WebhookInfo;
  /** What bluegreen had to put back on the webhook in this run, for the output and the history (verify-webhook.ts). */
  webhookNotes?: string[];
  /** Changing port calls made so far (port-guard.ts): none means an error is exit 1, nothing moved. */
  activity?: PortActivity;
  /** Aborted (reason: CancelledError) when SIGINT/SIGTERM arrives: checked between steps and in waits (cancel.ts). */
  cancel?: AbortSignal;
  /**
   * Image digests (repository@sha256:...) each host pulled in this run (resolveDigest): staging
   * does not pull them again. Only this run's pulls count: a resumed run pulls by digest.
   */
  pulled?: Map<string, Set<string>>;
}

export interface UnreachableHost {
  instanceId: string;
  address: string;
  reason: string;
}

export class HostCommandError extends Error {
  constructor(
    readonly host: string,
    readonly argv: readonly string[],
    readonly result: ExecResult,
  ) {
    const detail = (result.stderr.trim() || result.stdout.trim()).split("\n").slice(-3).join(" / ");
    super(`${host}: \`${argv.slice(0, 3).join(" ")}\` exited ${result.code}${detail === "" ? "" : `: ${detail}`}`);
  }
}

/** Runs an argv and insists on exit 0. */
export async function mustExec(host: ConnectedHost, argv: readonly string[], opts?: { stdin?: string; timeoutMs?: number }): Promise<ExecResult> {
  const res = await host.remote.exec(argv, opts);
  if (res.code !== 0) throw new HostCommandError(host.instanceId, argv, res);
  return res;
}

/**
 * Bounded parallelism over hosts (rollout.hostConcurrency): results in input order. After a
 * failure no new item starts, and the call settles only when the ones under way have finished,
 * so a clean-up after it never races a `docker run` still in progress on another host.
 */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const workers = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (next < items.length && failure === undefined) {
      const i = next++;
      try {
        results[i] = await fn(items[i] as T);
      } catch (error) {
        failure ??= { error };
      }
    }
  });
  await Promise.all(workers);
  if (failure !== undefined) throw failure.error;
  return results;
}
