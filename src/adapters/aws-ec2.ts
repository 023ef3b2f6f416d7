// Instances port over @aws-sdk/client-ec2: which hosts an environment has, and whether they are up.
// The client is loaded on the first call (it is the largest of the SDK clients we use, most of a
// cold start; see aws-sdk.ts for how), so commands that never list instances do not pay for it.
// The SDK's own retry (standard mode, 3 attempts) covers throttling and 5xx.
import type { EC2Client, Filter } from "@aws-sdk/client-ec2";
import type { Instances, InstanceView } from "../ports.js";
import { type AwsSettings, clientConfig, countAwsCalls } from "./aws-config.js";
import { type Ec2Sdk, loadEc2 } from "./aws-sdk.js";
import type { CallCounter } from "./call-count.js";

type Sdk = Ec2Sdk;

export type InstanceSelector = { instanceIds: string[] } | { tags: Record<string, string> };

export interface AwsInstancesOptions {
  calls?: CallCounter;
}

/** DescribeInstances filters for a selector (tags become tag:<key> filters). */
export function describeInstancesFilters(selector: InstanceSelector): Filter[] {
  return "tags" in selector ? Object.entries(selector.tags).map(([k, v]) => ({ Name: `tag:${k}`, Values: [v] })) : [];
}

export class AwsInstances implements Instances {
  private loaded: Promise<{ sdk: Sdk; client: EC2Client }> | undefined;
  constructor(
    private readonly aws: AwsSettings,
    private readonly selector: InstanceSelector,
    private readonly opts: AwsInstancesOptions = {},
  ) {}

  private ec2(): Promise<{ sdk: Sdk; client: EC2Client }> {
    this.loaded ??= Promise.resolve().then(() => {
      const sdk = loadEc2();
      const client = new sdk.EC2Client(clientConfig(this.aws));
      countAwsCalls(client, this.opts.calls);
      return { sdk, client };
    });
    return this.loaded;
  }

  /** EC2's refusal keeps its code in the message the operator reads. */
  private async send<T>(action: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (e) {
      if (e instanceof Error) throw new Error(`EC2 ${action}: ${e.name}: ${e.message}`, { cause: e });
      throw e;
    }
  }

  /** Only a release needs the status checks (connect refuses impaired hosts); a read such as `status` skips DescribeInstanceStatus. */
  async list(opts: { statusChecks?: boolean } = {}): Promise<InstanceView[]> {
    const { sdk, client } = await this.ec2();
    const input = "instanceIds" in this.selector ? { InstanceIds: this.selector.instanceIds } : { Filters: describeInstancesFilters(this.selector) };
    const res = await this.send("DescribeInstances", () => client.send(new sdk.DescribeInstancesCommand(input)));
    // Stopped (and stopping, pending) instances are listed so the caller can note them; only running
    // ones are asked for their status checks, and only they become hosts. Terminated ones are gone.
    const instances = (res.Reservations ?? []).flatMap((r) => r.Instances ?? []).filter((i) => i.State?.Name !== "terminated");
    const ids = instances
      .filter((i) => i.State?.Name === "running")
      .map((i) => i.InstanceId ?? "")
      .filter((id) => id !== "");
    const checked = opts.statusChecks !== false;
    const statuses =
      ids.length === 0 || !checked
        ? []
        : ((
            await this.send("DescribeInstanceStatus", () => client.send(new sdk.DescribeInstanceStatusCommand({ InstanceIds: ids, IncludeAllInstances: true })))
          ).InstanceStatuses ?? []);
    return instances
      .map((i) => {
        const st = statuses.find((s) => s.InstanceId === i.InstanceId);
        const ok = st?.InstanceStatus?.Status === "ok" && st.SystemStatus?.Status === "ok";
        return {
          instanceId: i.InstanceId ?? "",
          state: i.State?.Name ?? "unknown",
          ...(i.PrivateIpAddress !== undefined ? { privateIp: i.PrivateIpAddress } : {}),
          ...(i.PublicIpAddress !== undefined ? { publicIp: i.PublicIpAddress } : {}),
          status: !checked ? "not checked" : ok ? "ok" : `instance ${st?.InstanceStatus?.Status ?? "unknown"}, system ${st?.SystemStatus?.Status ?? "unknown"}`,
        };
      })
      .sort((a, b) => (a.instanceId < b.instanceId ? -1 : 1));
  }
}
