// Builds the usual blue/green ALB through the real SDK: one load balancer, target groups with
// short health-check settings, and an HTTP listener forwarding to the first group.
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  ModifyTargetGroupAttributesCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import type { AwsWorld } from "./aws-world.js";

export interface Alb {
  lbArn: string;
  listenerArn: string;
  dataPlanePort: number;
  tg: Record<string, string>;
}

export async function createTargetGroup(w: AwsWorld, name: string, port: number, path = "/health"): Promise<string> {
  const out = await w.elb.send(
    new CreateTargetGroupCommand({
      Name: name,
      Protocol: "HTTP",
      Port: port,
      VpcId: "vpc-0example",
      TargetType: "instance",
      HealthCheckPath: path,
      HealthCheckIntervalSeconds: 5,
      HealthCheckTimeoutSeconds: 2,
      HealthyThresholdCount: 2,
      UnhealthyThresholdCount: 2,
      Matcher: { HttpCode: "200" },
    }),
  );
  const arn = out.TargetGroups?.[0]?.TargetGroupArn as string;
  await w.elb.send(new ModifyTargetGroupAttributesCommand({ TargetGroupArn: arn, Attributes: [{ Key: "deregistration_delay.timeout_seconds", Value: "5" }] }));
  return arn;
}

export async function createAlb(
  w: AwsWorld,
  groups: [string, number][] = [
    ["bot-blue", 5001],
    ["bot-green", 5002],
  ],
): Promise<Alb> {
  const lb = await w.elb.send(new CreateLoadBalancerCommand({ Name: "bot-alb", Subnets: ["subnet-a", "subnet-b"] }));
  const lbArn = lb.LoadBalancers?.[0]?.LoadBalancerArn as string;
  const tg: Record<string, string> = {};
  for (const [name, port] of groups) tg[name] = await createTargetGroup(w, name, port);
  const first = tg[groups[0]?.[0] as string] as string;
  const listener = await w.elb.send(
    new CreateListenerCommand({ LoadBalancerArn: lbArn, Protocol: "HTTP", Port: 80, DefaultActions: [{ Type: "forward", TargetGroupArn: first }] }),
  );
  const listenerArn = listener.Listeners?.[0]?.ListenerArn as string;
  const dataPlanePort = w.emu.control.state().listeners.find((l) => l.arn === listenerArn)?.dataPlanePort as number;
  return { lbArn, listenerArn, dataPlanePort, tg };
}
