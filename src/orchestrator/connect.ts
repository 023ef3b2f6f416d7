// Building a Ctx: resolve the listener and target groups, find the hosts, connect to each one.
// Every failure here happens before anything changed, so it is a PreflightError (exit 1). The ports
// themselves (AWS, Telegram, SSH or the sandbox) are built by the CLI, the composition root
// (src/cli/real-ports.ts), and handed in.
import { PreflightError } from "../errors.js";
import type { Clock, HostConnector, Instances, InstanceView, LoadBalancer, Monitoring, Reporter, Telegram } from "../ports.js";
import { redact } from "../util/redact.js";
import type { ConnectedHost, Ctx, UnreachableHost } from "./context.js";
import { mapLimit } from "./context.js";
import { HostStateStore, hostStatePath } from "./host-state.js";
import { lockHost } from "./lock.js";
import { CHANGING_CALLS, guardPort, type PortActivity } from "./port-guard.js";
import type { Settings } from "./settings.js";

export interface Ports {
  /** null: a polling environment without a load balancer (the release state then lives on the first host). */
  lb: LoadBalancer | null;
  instances: Instances;
  telegram: Telegram;
  connector: HostConnector;
  monitoring?: Monitoring;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  // The signal is the whole run's cancel signal, shared by every sleep of a bake (one per interval:
  // ~360 in a 30 m bake), so each sleep removes its listener when the timer fires; left behind they
  // pile up on the signal and Node warns of a listener leak (MaxListenersExceededWarning past 10).
  sleep: (ms, signal) =>
    new Promise<void>((res, rej) => {
      if (signal?.aborted === true) {
        rej(signal.reason);
        return;
      }
      const onAbort = (): void => {
        clearTimeout(t);
        rej(signal?.reason);
      };
      const t = setTimeout(() => {
        signal?.removeEventListener("abort", onAbort);
        res();
      }, ms);
      signal?.addEventListener("abort", onAbort, { once: true });
    }),
};

const why = (e: unknown): string => redact(e instanceof Error ? e.message : String(e));

const settledValue = <T>(r: PromiseSettledResult<T>): T => {
  if (r.status === "rejected") throw r.reason;
  return r.value;
};

export interface ConnectOptions {
  /** status, plan, history and rollback go on without hosts that cannot be reached (listed in ctx.unreachable). */
  tolerateUnreachable?: boolean;
  addressType: "private" | "public";
  /** status and history tolerate unhealthy instances; release does not. */
  requireHealthyInstances: boolean;
}

export async function connectCtx(settings: Settings, raw: Ports, clock: Clock, reporter: Reporter, opts: ConnectOptions): Promise<Ctx> {
  // Every call is counted and its failures labelled, so an error before any change is exit 1.
  const activity: PortActivity = { changes: 0 };
  const ports: Ports = {
    lb: raw.lb === null ? null : guardPort(raw.lb, "AWS", "ELBv2", CHANGING_CALLS.lb, activity),
    instances: guardPort(raw.instances, "AWS", "EC2", [], activity),
    telegram: guardPort(raw.telegram, "Telegram", "Bot API", CHANGING_CALLS.telegram, activity),
    connector: raw.connector,
    ...(raw.monitoring !== undefined ? { monitoring: guardPort(raw.monitoring, "AWS", "CloudWatch", [], activity) } : {}),
  };
  const monitoring = { activity, ...(ports.monitoring !== undefined ? { monitoring: ports.monitoring } : {}) };
  const listInstances = () =>
    ports.instances.list({ statusChecks: opts.requireHealthyInstances }).catch((e: unknown) => {
      throw new PreflightError(`cannot list the EC2 instances: ${why(e)}`, "check hosts.ec2 and the AWS credentials");
    });
  if (ports.lb === null) {
    // A polling environment without a load balancer: the release state lives on the lock host,
    // so every host must answer. Its changes count like the listener's (exit codes by what moved).
    const { hosts } = await connectHosts(settings, ports, { ...opts, tolerateUnreachable: false }, await listInstances(), reporter, activity);
    const lb = guardPort(
      new HostStateStore(lockHost(hosts), hostStatePath(settings.container.envFileDir, settings.environment)),
      "SSH",
      "host state",
      CHANGING_CALLS.lb,
      activity,
    );
    const placeholder = await lb.describeTargetGroup("");
    return {
      settings,
      lb,
      telegram: ports.telegram,
      clock,
      reporter,
      hosts,
      listenerArn: await lb.resolveListener(),
      targetGroups: { blue: placeholder, green: placeholder },
      ...monitoring,
    };
  }
  const lb = ports.lb;
  // One round: the listener, both target groups and the instances are independent reads.
  const tg = (c: "blue" | "green") =>
    lb.describeTargetGroup(settings.targetGroups[c]).catch((e: unknown) => {
      throw new PreflightError(
        `colours.${c}.targetGroup ${settings.targetGroups[c]}: ${why(e)}`,
        "create the target group or fix its name/ARN in the environment file",
      );
    });
  // The listener is found after the groups: their LoadBalancerArns name its load balancer once a
  // colour is in its forward, so no DescribeLoadBalancers (#17). Still one round next to the hosts'.
  const groups = Promise.all([tg("blue"), tg("green")]);
  const listener = groups.then((gs) =>
    lb.resolveListener(gs.flatMap((g) => g.loadBalancerArns ?? [])).catch((e: unknown) => {
      throw new PreflightError(`cannot find the ALB listener: ${why(e)}`, "check loadBalancer.listener and the AWS region/credentials");
    }),
  );
  // Every read settles before one failure is named, and EC2's wins: missing credentials or a refused
  // endpoint fail both clients, and which answers first is timing (status's EC2 client is on a thread,
  // so ELBv2's usually did, and the remedy read "create the target group"). EC2's remedy names the
  // credentials; a target group that is really missing fails ELBv2 alone and is still named.
  const [groupsRead, listenerRead, listRead] = await Promise.allSettled([groups, listener, listInstances()]);
  const list = settledValue(listRead);
  const [blue, green] = settledValue(groupsRead);
  const listenerArn = settledValue(listenerRead);
  const { hosts, unreachable } = await connectHosts(settings, ports, opts, list, reporter, activity);
  return {
    settings,
    lb,
    telegram: ports.telegram,
    clock,
    reporter,
    hosts,
    listenerArn,
    targetGroups: { blue, green },
    ...monitoring,
    ...(unreachable.length > 0 ? { unreachable } : {}),
  };
}

async function connectHosts(
  settings: Settings,
  ports: Ports,
  opts: ConnectOptions,
  list: InstanceView[],
  reporter: Reporter,
  activity: PortActivity,
): Promise<{ hosts: ConnectedHost[]; unreachable: UnreachableHost[] }> {
  // Only running instances are hosts; a stopped or terminated one that still carries the tags is a note.
  const running = list.filter((i) => i.state === "running");
  for (const i of list.filter((x) => x.state !== "running"))
    reporter.step({ step: "hosts", status: "info", message: `ignoring ${i.instanceId}: it is ${i.state}, not running` });
  if (running.length === 0) {
    throw new PreflightError(
      `no running EC2 instance matches hosts.ec2${list.length > 0 ? ` (${list.map((i) => `${i.instanceId} ${i.state}`).join(", ")})` : ""}`,
      "check the tags or instance ids in the environment file, or start the instances",
    );
  }
  if (opts.requireHealthyInstances) {
    const bad = running.filter((i) => i.status !== "ok");
    if (bad.length > 0) {
      throw new PreflightError(
        `instances not ready: ${bad.map((i) => `${i.instanceId} (${i.state}, ${i.status})`).join(", ")}`,
        "wait for the status checks to pass, or fix the instance",
      );
    }
  }
  const unreachable: UnreachableHost[] = [];
  const connected = await mapLimit(running, settings.rollout.hostConcurrency, async (i: InstanceView): Promise<ConnectedHost | null> => {
    const address = opts.addressType === "public" ? (i.publicIp ?? i.privateIp) : (i.privateIp ?? i.publicIp);
    if (address === undefined) throw new PreflightError(`${i.instanceId} has no ${opts.addressType} address`, "set hosts.address to the address SSH can reach");
    try {
      return {
        instanceId: i.instanceId,
        address,
        remote: guardPort(await ports.connector.connect({ instanceId: i.instanceId, address }), "SSH", `${i.instanceId} (${address})`, [], activity),
      };
    } catch (e) {
      if (opts.tolerateUnreachable !== true)
        throw new PreflightError(`${i.instanceId} (${address}): ${why(e)}`, "check SSH access (user, key, host key pinning) to the host");
      unreachable.push({ instanceId: i.instanceId, address, reason: why(e) });
      reporter.step({ step: "hosts", status: "info", message: `${i.instanceId} (${address}) is unreachable: ${why(e)}` });
      return null;
    }
  });
  return { hosts: connected.filter((h): h is ConnectedHost => h !== null), unreachable };
}

export async function disconnect(ctx: Ctx): Promise<void> {
  await Promise.all(ctx.hosts.map((h) => h.remote.close().catch(() => undefined)));
}
