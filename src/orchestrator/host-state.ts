// A polling environment without a load balancer has no listener to carry the release state in its
// tags. The same bluegreen:* tags then live in one small JSON file next to the history on the first
// host (the one that holds the lock), so decide, recover, status and rollback read them unchanged
// and a run killed at any point is still picked up by the next one, from any machine. Container
// labels (release, image, mode) say what each container runs; this file says which release is
// live, previous and in flight — what labels cannot, since a container's labels never change.
import { BluegreenError } from "../errors.js";
import type { ForwardTarget, ListenerView, LoadBalancer, TargetGroupView, TargetHealthView } from "../ports.js";
import { readFile, writeFilePrivate } from "../remote/files.js";
import type { ConnectedHost } from "./context.js";
import { mustExec } from "./context.js";

export function hostStatePath(envFileDir: string, environment: string): string {
  return `${envFileDir.replace(/\/+$/, "")}/${environment}/release-state.json`;
}

export function parseState(text: string): Record<string, string> {
  if (text.trim() === "") return {};
  const parsed: unknown = JSON.parse(text);
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error("the release state file is not a JSON object");
  return Object.fromEntries(Object.entries(parsed as Record<string, unknown>).filter((e): e is [string, string] => typeof e[1] === "string"));
}

/** The LoadBalancer port for an environment with none: no traffic switch, tags in a host file. */
export class HostStateStore implements LoadBalancer {
  constructor(
    private readonly host: ConnectedHost,
    readonly path: string,
  ) {}

  async resolveListener(): Promise<string> {
    return `host-state:${this.host.instanceId}:${this.path}`;
  }

  async describeListener(arn: string): Promise<ListenerView> {
    return { arn, forward: [], tags: await this.read() };
  }

  async describeTargetGroup(nameOrArn: string): Promise<TargetGroupView> {
    return { arn: "", name: nameOrArn, port: 0, protocol: "", healthCheckPath: "" };
  }

  async setForward(_arn: string, _forward: ForwardTarget[]): Promise<ForwardTarget[]> {
    throw new BluegreenError("this polling environment has no load balancer to move", "internal");
  }

  async setTags(_arn: string, tags: Record<string, string>): Promise<void> {
    await this.write({ ...(await this.read()), ...tags });
  }

  async removeTags(_arn: string, keys: string[]): Promise<void> {
    const state = await this.read();
    for (const k of keys) delete state[k];
    await this.write(state);
  }

  async targetHealth(_arn: string): Promise<TargetHealthView[]> {
    return [];
  }

  async registerTargets(): Promise<void> {
    throw new BluegreenError("this polling environment has no target groups to register in", "internal");
  }

  private async read(): Promise<Record<string, string>> {
    const res = await mustExec(this.host, readFile(this.path));
    try {
      return parseState(res.stdout);
    } catch (e) {
      throw new BluegreenError(
        `${this.host.instanceId}:${this.path}: ${e instanceof Error ? e.message : String(e)}`,
        "world",
        "fix or remove the file by hand; it holds only the live/previous/in-flight release ids",
      );
    }
  }

  private async write(state: Record<string, string>): Promise<void> {
    await mustExec(this.host, writeFilePrivate(this.path), { stdin: `${JSON.stringify(state, null, 2)}\n` });
  }
}
