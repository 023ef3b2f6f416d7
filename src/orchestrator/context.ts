// Everything one command works with: the settings, the ports, and the hosts it is connected to.
import type { Colour } from "../domain/types.js";
import type { Clock, ExecResult, LoadBalancer, RemoteHost, Reporter, TargetGroupView, Telegram } from "../ports.js";
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

/** Bounded parallelism over hosts (rollout.hostConcurrency): results in input order, first error wins. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T);
    }
  });
  await Promise.all(workers);
  return results;
}
