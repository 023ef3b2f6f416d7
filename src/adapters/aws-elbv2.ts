// LoadBalancer port over @aws-sdk/client-elastic-load-balancing-v2. The SDK's own retry (standard
// mode, 3 attempts) covers throttling and 5xx; we only translate shapes.
import {
  AddTagsCommand,
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeTagsCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  ModifyListenerCommand,
  RegisterTargetsCommand,
  RemoveTagsCommand,
  type Action,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import type { ForwardTarget, ListenerView, LoadBalancer, TargetGroupView, TargetHealthState, TargetHealthView } from "../ports.js";
import { type AwsSettings, clientConfig, countAwsCalls } from "./aws-config.js";

export type ListenerRef = string | { loadBalancer: string; port: number };

export function forwardOf(actions: Action[] | undefined): ForwardTarget[] {
  const fwd = (actions ?? []).find((a) => a.Type === "forward");
  if (fwd === undefined) return [];
  const groups = fwd.ForwardConfig?.TargetGroups;
  if (groups !== undefined && groups.length > 0) {
    return groups.map((g) => ({ targetGroupArn: g.TargetGroupArn ?? "", weight: g.Weight ?? 1 }));
  }
  return fwd.TargetGroupArn !== undefined ? [{ targetGroupArn: fwd.TargetGroupArn, weight: 1 }] : [];
}

export class AwsLoadBalancer implements LoadBalancer {
  readonly client: ElasticLoadBalancingV2Client;
  constructor(
    aws: AwsSettings,
    private readonly listener: ListenerRef,
  ) {
    this.client = new ElasticLoadBalancingV2Client(clientConfig(aws));
    countAwsCalls(this.client);
  }

  async resolveListener(): Promise<string> {
    if (typeof this.listener === "string") return this.listener;
    const { loadBalancer, port } = this.listener;
    const lbs = await this.client.send(new DescribeLoadBalancersCommand({ Names: [loadBalancer] }));
    const lbArn = lbs.LoadBalancers?.[0]?.LoadBalancerArn;
    if (lbArn === undefined) throw new Error(`load balancer ${loadBalancer} not found`);
    const ls = await this.client.send(new DescribeListenersCommand({ LoadBalancerArn: lbArn }));
    const arn = ls.Listeners?.find((l) => l.Port === port)?.ListenerArn;
    if (arn === undefined) throw new Error(`load balancer ${loadBalancer} has no listener on port ${port}`);
    return arn;
  }

  async describeListener(arn: string): Promise<ListenerView> {
    const [ls, tags] = await Promise.all([
      this.client.send(new DescribeListenersCommand({ ListenerArns: [arn] })),
      this.client.send(new DescribeTagsCommand({ ResourceArns: [arn] })),
    ]);
    const l = ls.Listeners?.[0];
    if (l === undefined) throw new Error(`listener ${arn} not found`);
    const tagMap: Record<string, string> = {};
    for (const t of tags.TagDescriptions?.[0]?.Tags ?? []) if (t.Key !== undefined) tagMap[t.Key] = t.Value ?? "";
    return { arn, forward: forwardOf(l.DefaultActions), tags: tagMap };
  }

  async describeTargetGroup(nameOrArn: string): Promise<TargetGroupView> {
    const byArn = nameOrArn.startsWith("arn:");
    const res = await this.client.send(new DescribeTargetGroupsCommand(byArn ? { TargetGroupArns: [nameOrArn] } : { Names: [nameOrArn] }));
    const tg = res.TargetGroups?.[0];
    if (tg === undefined) throw new Error(`target group ${nameOrArn} not found`);
    return { arn: tg.TargetGroupArn ?? "", name: tg.TargetGroupName ?? "", port: tg.Port ?? 0, protocol: tg.Protocol ?? "", healthCheckPath: tg.HealthCheckPath ?? "/" };
  }

  async setForward(listenerArn: string, forward: ForwardTarget[]): Promise<void> {
    await this.client.send(
      new ModifyListenerCommand({
        ListenerArn: listenerArn,
        DefaultActions: [{ Type: "forward", ForwardConfig: { TargetGroups: forward.map((f) => ({ TargetGroupArn: f.targetGroupArn, Weight: f.weight })) } }],
      }),
    );
  }

  async setTags(arn: string, tags: Record<string, string>): Promise<void> {
    const list = Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
    if (list.length > 0) await this.client.send(new AddTagsCommand({ ResourceArns: [arn], Tags: list }));
  }

  async removeTags(arn: string, keys: string[]): Promise<void> {
    if (keys.length > 0) await this.client.send(new RemoveTagsCommand({ ResourceArns: [arn], TagKeys: keys }));
  }

  async targetHealth(targetGroupArn: string): Promise<TargetHealthView[]> {
    const res = await this.client.send(new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn }));
    return (res.TargetHealthDescriptions ?? []).map((d) => ({
      id: d.Target?.Id ?? "",
      port: d.Target?.Port ?? 0,
      state: (d.TargetHealth?.State ?? "unavailable") as TargetHealthState,
      ...(d.TargetHealth?.Reason !== undefined ? { reason: d.TargetHealth.Reason } : {}),
      ...(d.TargetHealth?.Description !== undefined ? { description: d.TargetHealth.Description } : {}),
    }));
  }

  async registerTargets(targetGroupArn: string, targets: { id: string; port: number }[]): Promise<void> {
    await this.client.send(new RegisterTargetsCommand({ TargetGroupArn: targetGroupArn, Targets: targets.map((t) => ({ Id: t.id, Port: t.port })) }));
  }
}
