// Instances port over @aws-sdk/client-ec2: which hosts an environment has, and whether they are up.
import { DescribeInstanceStatusCommand, DescribeInstancesCommand, type DescribeInstancesCommandInput, EC2Client, type Filter } from "@aws-sdk/client-ec2";
import type { InstanceView, Instances } from "../ports.js";
import { type AwsSettings, clientConfig, countAwsCalls } from "./aws-config.js";

export type InstanceSelector = { instanceIds: string[] } | { tags: Record<string, string> };

export class AwsInstances implements Instances {
  readonly client: EC2Client;
  constructor(
    aws: AwsSettings,
    private readonly selector: InstanceSelector,
  ) {
    this.client = new EC2Client(clientConfig(aws));
    countAwsCalls(this.client);
  }

  async list(): Promise<InstanceView[]> {
    const filters: Filter[] =
      "tags" in this.selector
        ? Object.entries(this.selector.tags).map(([k, v]) => ({ Name: `tag:${k}`, Values: [v] }))
        : [];
    const input: DescribeInstancesCommandInput = "instanceIds" in this.selector ? { InstanceIds: this.selector.instanceIds } : { Filters: filters };
    const res = await this.client.send(new DescribeInstancesCommand(input));
    const instances = (res.Reservations ?? []).flatMap((r) => r.Instances ?? []).filter((i) => i.State?.Name !== "terminated");
    const ids = instances.map((i) => i.InstanceId ?? "").filter((id) => id !== "");
    const statuses = ids.length === 0 ? [] : ((await this.client.send(new DescribeInstanceStatusCommand({ InstanceIds: ids, IncludeAllInstances: true }))).InstanceStatuses ?? []);
    return instances
      .map((i) => {
        const st = statuses.find((s) => s.InstanceId === i.InstanceId);
        const ok = st?.InstanceStatus?.Status === "ok" && st.SystemStatus?.Status === "ok";
        return {
          instanceId: i.InstanceId ?? "",
          state: i.State?.Name ?? "unknown",
          ...(i.PrivateIpAddress !== undefined ? { privateIp: i.PrivateIpAddress } : {}),
          ...(i.PublicIpAddress !== undefined ? { publicIp: i.PublicIpAddress } : {}),
          status: ok ? "ok" : `instance ${st?.InstanceStatus?.Status ?? "unknown"}, system ${st?.SystemStatus?.Status ?? "unknown"}`,
        };
      })
      .sort((a, b) => (a.instanceId < b.instanceId ? -1 : 1));
  }
}
