// Stateful in-memory fakes of the orchestrator's ports: an ALB (listener, tags, target groups whose
// health follows the hosts' containers), Telegram's webhook, hosts with a tiny docker, and a clock.
import type { Colour } from "../../src/domain/types.js";
import {
  type BotInfo,
  type Clock,
  type ExecResult,
  type ForwardTarget,
  type HttpResponse,
  type ListenerView,
  type LoadBalancer,
  NotListeningError,
  type RemoteHost,
  type SetWebhookParams,
  type TargetGroupView,
  type TargetHealthView,
  type Telegram,
  type WebhookInfo,
} from "../../src/ports.js";
import { type BatchStep, decodeBatch, formatBatchOutput } from "../../src/remote/batch.js";
import { REMOVE_IF_OURS } from "../../src/remote/docker.js";

export interface FakeContainer {
  name: string;
  labels: Record<string, string>;
  image: string;
  hostPort: number;
  running: boolean;
  restartCount: number;
  /** What `docker stats` reports it uses (default 50 MiB). */
  memoryMiB?: number;
  /** What `docker inspect` reports as State.OOMKilled (a process in it was OOM-killed). */
  oomKilled?: boolean;
  /** How its earlier runs ended, oldest first: what `docker events` reports (die, and oom before it). */
  exits?: { exitCode: number; oom: boolean }[];
  /** When (Date.now()) the bot starts listening: before it, its port refuses connections (a bot still starting). */
  listensAt?: number;
  /** What its /health answers (default 200). */
  healthStatus?: number;
}

const ok = (stdout = ""): ExecResult => ({ code: 0, stdout, stderr: "" });

/** A fake registry digest: 64 hex characters derived from the reference. */
export function digestOf(ref: string): string {
  let h = 0;
  for (const ch of ref) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return h.toString(16).padStart(8, "0").repeat(8);
}

/** A host whose docker keeps containers in a map; every argv it was given is kept in `log`. */
export class FakeHost implements RemoteHost {
  readonly containers = new Map<string, FakeContainer>();
  readonly files = new Map<string, string>();
  /** Every command a step ran (the steps of a batch one by one). */
  readonly log: string[][] = [];
  /** Every exec as it arrived (a batch is one): what a real host would count. */
  readonly execs: string[][] = [];
  /** Called after `docker run` started a container (a test may make it die at once). */
  onRun?: (c: FakeContainer) => void;
  /** Called when `docker stop` stops a container: a bot's shutdown hook (e.g. deleteWebhook) runs here. */
  onStop?: (c: FakeContainer) => Promise<void> | void;
  constructor(
    readonly name: string,
    readonly instanceId: string,
  ) {}

  run(name: string, labels: Record<string, string>, image: string, hostPort: number): void {
    this.containers.set(name, { name, labels, image, hostPort, running: true, restartCount: 0 });
  }

  async exec(argv: readonly string[], opts?: { stdin?: string }): Promise<ExecResult> {
    this.execs.push([...argv]);
    const batch = decodeBatch(argv);
    if (batch !== null) return this.runBatch(batch.marker, batch.steps, opts);
    return this.run1(argv, opts);
  }

  /** A batch (src/remote/batch.ts) as its script runs it: each step logged, a failing `stop` step ends it. */
  private async runBatch(marker: string, steps: BatchStep[], opts?: { stdin?: string }): Promise<ExecResult> {
    const results: ExecResult[] = [];
    for (const step of steps) {
      const r = await this.run1(step.argv, step.stdin === true ? opts : {});
      results.push(r);
      if (r.code !== 0 && step.stop === true) break;
    }
    return ok(formatBatchOutput(marker, results));
  }

  private async run1(argv: readonly string[], opts?: { stdin?: string }): Promise<ExecResult> {
    this.log.push([...argv]);
    const [prog, cmd, ...rest] = argv;
    if (prog === "sh" && argv[2] === REMOVE_IF_OURS) {
      // docker.removeIfOurs: only a container whose colour label is the colour goes.
      const [name = "", colour = ""] = argv.slice(4);
      const c = this.containers.get(name);
      if (c === undefined) return ok();
      if (c.labels["bluegreen.colour"] !== colour) return { code: 3, stdout: "", stderr: `${name} was not started by bluegreen\n` };
      this.containers.delete(name);
      return ok();
    }
    // lockCommands.releaseIfMine: the fake keeps no lock directory (acquire only writes its lease file).
    if (prog === "sh" && (argv[2] ?? "").startsWith("p=$1; shift; for t in")) return ok();
    if (prog === "sh") {
      // readFile, appendLine (the history) and writeFilePrivate: the path is the last word, content through stdin.
      const path = argv[argv.length - 1] ?? "";
      const script = argv[2] ?? "";
      if (script === 'if [ -f "$1" ]; then cat "$1"; fi') return ok(this.files.get(path) ?? "");
      this.files.set(path, script.includes('cat >> "$1"') ? (this.files.get(path) ?? "") + (opts?.stdin ?? "") : (opts?.stdin ?? ""));
      return ok();
    }
    if (prog === "df") return ok("Filesystem 1024-blocks Used Available Capacity Mounted on\n/dev/root 100000000 1000 90000000 1% /\n");
    if (prog !== "docker") return { code: 127, stdout: "", stderr: `${prog}: not found` };
    switch (cmd) {
      case "version":
        return ok("27.0.0\n");
      case "image": {
        // repoDigests: the digest of a pulled tag is stable per tag, as a registry would make it; a digest reference is its own digest.
        const ref = rest[rest.length - 1] ?? "";
        if (ref.includes("@")) return ok(JSON.stringify([ref]));
        return ok(JSON.stringify([`${ref.split(":")[0]}@sha256:${digestOf(ref)}`]));
      }
      case "pull":
        return ok();
      case "ps":
        // docker ps --all --format {{json .}}: every container, labelled or not.
        return ok(
          [...this.containers.values()]
            .map((c) =>
              JSON.stringify({
                Names: c.name,
                Image: c.image,
                State: c.running ? "running" : "exited",
                Ports: c.running ? `0.0.0.0:${c.hostPort}->5000/tcp` : "",
                Labels: Object.entries(c.labels)
                  .map(([k, v]) => `${k}=${v}`)
                  .join(","),
              }),
            )
            .join("\n"),
        );
      case "rm":
        this.containers.delete(rest[rest.length - 1] ?? "");
        return ok();
      case "run":
        return this.dockerRun(rest);
      case "inspect": {
        const found = rest.slice(2).flatMap((n) => {
          const c = this.containers.get(n);
          if (c === undefined) return [];
          return [
            {
              Name: `/${c.name}`,
              RestartCount: c.restartCount,
              State: {
                Status: c.running ? "running" : "exited",
                Running: c.running,
                ExitCode: 0,
                OOMKilled: c.oomKilled === true,
                StartedAt: "2026-01-01T00:00:00Z",
              },
              Config: { Labels: c.labels },
            },
          ];
        });
        return { code: found.length === rest.length - 2 ? 0 : 1, stdout: JSON.stringify(found), stderr: "" };
      }
      case "stats":
        return ok(
          rest
            .slice(3)
            .map((n) => JSON.stringify({ Name: n, MemUsage: `${this.containers.get(n)?.memoryMiB ?? 50}MiB / 400MiB` }))
            .join("\n"),
        );
      case "logs":
        return ok("fake log line");
      case "events": {
        // docker.exitEvents: the die (and oom) events of the container named by its filter.
        const name = (rest.find((a) => a.startsWith("container=")) ?? "").slice("container=".length);
        const exits = this.containers.get(name)?.exits ?? [];
        return ok(
          exits
            .flatMap((x, i) => [
              ...(x.oom ? [{ Action: "oom", timeNano: 2 * i }] : []),
              { Action: "die", timeNano: 2 * i + 1, Actor: { Attributes: { exitCode: String(x.exitCode) } } },
            ])
            .map((e) => JSON.stringify(e))
            .join("\n"),
        );
      }
      case "start":
      case "stop": {
        const c = this.containers.get(rest[rest.length - 1] ?? "");
        if (c === undefined) return { code: 1, stdout: "", stderr: "Error: No such container" };
        if (cmd === "stop" && c.running) await this.onStop?.(c);
        c.running = cmd === "start";
        return ok();
      }
      default:
        return { code: 1, stdout: "", stderr: `unknown docker command ${cmd}` };
    }
  }

  private dockerRun(args: string[]): ExecResult {
    const labels: Record<string, string> = {};
    let name = "";
    let hostPort = 0;
    for (let i = 0; i < args.length - 1; i++) {
      const flag = args[i];
      const value = args[i + 1] ?? "";
      if (flag === "--name") name = value;
      else if (flag === "--label") {
        const eq = value.indexOf("=");
        labels[value.slice(0, eq)] = value.slice(eq + 1);
      } else if (flag === "--publish") hostPort = Number(value.split(":")[0]);
    }
    if (this.containers.has(name)) return { code: 125, stdout: "", stderr: `Conflict. The container name "/${name}" is already in use` };
    // A poller without a health check publishes nothing (no --publish): no port to collide on.
    if (hostPort !== 0 && [...this.containers.values()].some((c) => c.running && c.hostPort === hostPort)) {
      return {
        code: 125,
        stdout: "",
        stderr: `docker: Error response from daemon: driver failed programming external connectivity: Bind for 0.0.0.0:${hostPort} failed: port is already allocated.`,
      };
    }
    this.run(name, labels, args[args.length - 1] ?? "", hostPort);
    const started = this.containers.get(name);
    if (started !== undefined) this.onRun?.(started);
    return ok("0123456789ab\n");
  }

  async httpRequest(port: number): Promise<HttpResponse> {
    const c = [...this.containers.values()].find((x) => x.hostPort === port && x.running);
    if (c === undefined || (c.listensAt !== undefined && Date.now() < c.listensAt)) throw new NotListeningError(`connect ECONNREFUSED ${this.name}:${port}`);
    return { status: c.healthStatus ?? 200, body: JSON.stringify({ status: "ok", mode: "webhook", version: c.image }) };
  }

  async close(): Promise<void> {}
}

/** An ALB listener with tags and two target groups; a target is healthy while its host serves the port. */
export class FakeLoadBalancer implements LoadBalancer {
  forward: ForwardTarget[] = [];
  tags: Record<string, string> = {};
  readonly registered = new Map<string, { id: string; port: number }[]>();
  readonly calls: string[] = [];
  constructor(
    readonly listenerArn: string,
    readonly groups: Record<Colour, TargetGroupView>,
    readonly hosts: FakeHost[],
    /** Target groups that are neither colour (a legacy group from before bluegreen). */
    readonly others: TargetGroupView[] = [],
  ) {
    for (const g of [...Object.values(groups), ...others]) this.registered.set(g.arn, []);
  }
  async resolveListener(): Promise<string> {
    return this.listenerArn;
  }
  async describeListener(): Promise<ListenerView> {
    return { arn: this.listenerArn, forward: this.forward.map((f) => ({ ...f })), tags: { ...this.tags } };
  }
  async describeTargetGroup(nameOrArn: string): Promise<TargetGroupView> {
    const g = [...Object.values(this.groups), ...this.others].find((x) => x.arn === nameOrArn || x.name === nameOrArn);
    if (g === undefined) throw new Error(`TargetGroupNotFound: ${nameOrArn}`);
    return g;
  }
  async setForward(_arn: string, forward: ForwardTarget[]): Promise<ForwardTarget[]> {
    this.calls.push(`setForward ${forward.map((f) => `${f.targetGroupArn}=${f.weight}`).join(",")}`);
    this.forward = forward.map((f) => ({ ...f }));
    // As ModifyListener does: the answer is the listener as it now is.
    return this.forward.map((f) => ({ ...f }));
  }
  /** A failure to inject into the next setTags calls (e.g. TooManyTags); decremented per failed call. */
  failSetTags: { error: Error; times: number } | undefined;
  async setTags(_arn: string, tags: Record<string, string>): Promise<void> {
    this.calls.push(`setTags ${Object.keys(tags).join(",")}`);
    if (this.failSetTags !== undefined && this.failSetTags.times > 0) {
      this.failSetTags.times -= 1;
      throw this.failSetTags.error;
    }
    // AWS refuses a change that would leave more than 50 tags on the resource.
    if (Object.keys({ ...this.tags, ...tags }).length > 50)
      throw Object.assign(new Error("TooManyTags: the listener would have more than 50 tags"), { name: "TooManyTagsException" });
    Object.assign(this.tags, tags);
  }
  async removeTags(_arn: string, keys: string[]): Promise<void> {
    this.calls.push(`removeTags ${keys.join(",")}`);
    for (const k of keys) delete this.tags[k];
  }
  async targetHealth(arn: string): Promise<TargetHealthView[]> {
    return (this.registered.get(arn) ?? []).map((t) => {
      const host = this.hosts.find((h) => h.instanceId === t.id);
      // As the ALB's own probe sees it: a bot not listening yet, or answering other than 200, fails it.
      const serving =
        host !== undefined &&
        [...host.containers.values()].some(
          (c) => c.running && c.hostPort === t.port && (c.listensAt === undefined || Date.now() >= c.listensAt) && (c.healthStatus ?? 200) === 200,
        );
      return { id: t.id, port: t.port, state: serving ? "healthy" : "unhealthy" };
    });
  }
  async registerTargets(arn: string, targets: { id: string; port: number }[]): Promise<void> {
    const list = this.registered.get(arn) ?? [];
    for (const t of targets) if (!list.some((x) => x.id === t.id && x.port === t.port)) list.push({ ...t });
    this.registered.set(arn, list);
  }
}

export class FakeTelegram implements Telegram {
  info: WebhookInfo = { url: "", hasCustomCertificate: false, pendingUpdateCount: 0 };
  secretToken: string | undefined;
  async getMe(): Promise<BotInfo> {
    return { id: 123456789, username: "test_bot" };
  }
  async getWebhookInfo(): Promise<WebhookInfo> {
    return { ...this.info };
  }
  async setWebhook(p: SetWebhookParams): Promise<void> {
    this.secretToken = p.secretToken;
    this.info = {
      url: p.url,
      hasCustomCertificate: p.certificatePem !== undefined,
      pendingUpdateCount: 0,
      ...(p.maxConnections !== undefined ? { maxConnections: p.maxConnections } : {}),
      ...(p.allowedUpdates !== undefined ? { allowedUpdates: p.allowedUpdates } : {}),
    };
  }
  async deleteWebhook(): Promise<void> {
    this.info = { url: "", hasCustomCertificate: false, pendingUpdateCount: 0 };
  }
}

/** Time moves only when the code sleeps, so a 30-minute bake takes no wall time. */
export class FakeClock implements Clock {
  constructor(public t: number) {}
  now(): number {
    return this.t;
  }
  async sleep(ms: number): Promise<void> {
    this.t += ms;
  }
}
