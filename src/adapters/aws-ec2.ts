// Instances port over the EC2 Query API: which hosts an environment has, and whether they are up.
// Two read-only calls, signed here (aws-sigv4.ts) with credentials from the SDK's own chain (the
// ELBv2 client's), instead of loading @aws-sdk/client-ec2: that client alone is most of a cold
// start and ~70 MB of RSS. Throttling, 5xx and network errors are retried (p-retry), like the SDK.
import pRetry, { AbortError } from "p-retry";
import type { Instances, InstanceView } from "../ports.js";
import type { AwsSettings } from "./aws-config.js";
import { type Credentials, formBody, signPost } from "./aws-sigv4.js";
import { type CallCounter, processCalls } from "./call-count.js";
import { items, parseXml, textAt, type XmlNode } from "./xml-read.js";

export type InstanceSelector = { instanceIds: string[] } | { tags: Record<string, string> };

const VERSION = "2016-11-15";
const RETRYABLE = new Set([
  "RequestLimitExceeded",
  "Throttling",
  "ThrottlingException",
  "InternalError",
  "InternalFailure",
  "ServiceUnavailable",
  "Unavailable",
]);

export class Ec2ApiError extends Error {
  constructor(
    readonly action: string,
    readonly code: string,
    readonly status: number,
    message: string,
  ) {
    super(`EC2 ${action}: ${code}: ${message}`);
  }
}

export function ec2Endpoint(aws: AwsSettings): URL {
  if (aws.endpoint !== undefined) return new URL(aws.endpoint);
  return new URL(`https://ec2.${aws.region}.${aws.region.startsWith("cn-") ? "amazonaws.com.cn" : "amazonaws.com"}/`);
}

/** Query parameters of DescribeInstances for a selector (tags become tag:<key> filters). */
export function describeInstancesParams(selector: InstanceSelector): Record<string, string> {
  const p: Record<string, string> = { Action: "DescribeInstances", Version: VERSION };
  const list =
    "instanceIds" in selector
      ? selector.instanceIds.map((id, i) => [`InstanceId.${i + 1}`, id] as const)
      : Object.entries(selector.tags).flatMap(([k, v], i) => [[`Filter.${i + 1}.Name`, `tag:${k}`] as const, [`Filter.${i + 1}.Value.1`, v] as const]);
  for (const [k, v] of list) p[k] = v;
  return p;
}

export interface AwsInstancesOptions {
  /** The SDK's resolved credential chain (profile, env, SSO, instance role...). */
  credentials: () => Promise<Credentials>;
  calls?: CallCounter;
  timeoutMs?: number;
}

export class AwsInstances implements Instances {
  private readonly url: URL;
  constructor(
    private readonly aws: AwsSettings,
    private readonly selector: InstanceSelector,
    private readonly opts: AwsInstancesOptions,
  ) {
    this.url = ec2Endpoint(aws);
  }

  private async once(params: Record<string, string>): Promise<XmlNode> {
    const body = formBody(params);
    const headers = signPost({ url: this.url, body, region: this.aws.region, service: "ec2", credentials: await this.opts.credentials(), now: new Date() });
    let res: Response;
    try {
      res = await fetch(this.url, { method: "POST", headers, body, signal: AbortSignal.timeout(this.opts.timeoutMs ?? 30_000) });
    } catch (e) {
      const cause = e instanceof Error ? ((e.cause as Error | undefined)?.message ?? e.message) : String(e);
      throw new Error(`EC2 ${params.Action}: request failed: ${cause}`);
    }
    const doc = parseXml(await res.text());
    const err = doc.children.find((c) => c.name === "Response");
    if (!res.ok || err !== undefined) {
      const code = textAt(err, "Errors", "Error", "Code") ?? `HTTP ${res.status}`;
      const e = new Ec2ApiError(params.Action ?? "", code, res.status, textAt(err, "Errors", "Error", "Message") ?? "no message");
      throw RETRYABLE.has(code) || res.status >= 500 ? e : new AbortError(e);
    }
    const top = doc.children[0];
    if (top === undefined) throw new Error(`EC2 ${params.Action}: empty answer (HTTP ${res.status})`);
    return top;
  }

  private call(params: Record<string, string>): Promise<XmlNode> {
    return (this.opts.calls ?? processCalls).time("aws", params.Action ?? "unknown", () =>
      pRetry(() => this.once(params), { retries: 2, minTimeout: 200, factor: 2 }).catch((e: unknown) => {
        throw e instanceof AbortError ? (e.cause ?? e) : e;
      }),
    );
  }

  async list(): Promise<InstanceView[]> {
    const described = await this.call(describeInstancesParams(this.selector));
    const instances = items(described, "reservationSet")
      .flatMap((r) => items(r, "instancesSet"))
      .filter((i) => textAt(i, "instanceState", "name") !== "terminated");
    const ids = instances.map((i) => textAt(i, "instanceId") ?? "").filter((id) => id !== "");
    const statusParams: Record<string, string> = { Action: "DescribeInstanceStatus", Version: VERSION, IncludeAllInstances: "true" };
    for (const [i, id] of ids.entries()) statusParams[`InstanceId.${i + 1}`] = id;
    const statuses = ids.length === 0 ? [] : items(await this.call(statusParams), "instanceStatusSet");
    return instances
      .map((i) => {
        const id = textAt(i, "instanceId") ?? "";
        const st = statuses.find((s) => textAt(s, "instanceId") === id);
        const inst = textAt(st, "instanceStatus", "status");
        const sys = textAt(st, "systemStatus", "status");
        const privateIp = textAt(i, "privateIpAddress");
        const publicIp = textAt(i, "ipAddress");
        return {
          instanceId: id,
          state: textAt(i, "instanceState", "name") ?? "unknown",
          ...(privateIp !== undefined && privateIp !== "" ? { privateIp } : {}),
          ...(publicIp !== undefined && publicIp !== "" ? { publicIp } : {}),
          status: inst === "ok" && sys === "ok" ? "ok" : `instance ${inst ?? "unknown"}, system ${sys ?? "unknown"}`,
        };
      })
      .sort((a, b) => (a.instanceId < b.instanceId ? -1 : 1));
  }
}
