// Monitoring port over @aws-sdk/client-cloudwatch: alarm states (DescribeAlarms) and the ALB's own
// per-target-group signals (GetMetricData on AWS/ApplicationELB with the LoadBalancer + TargetGroup
// dimensions). The SDK retries throttling itself (maxAttempts in clientConfig). It is loaded on the
// first call, so environments without CloudWatch gates never pay for it.
import type { CloudWatchClient, MetricDataQuery } from "@aws-sdk/client-cloudwatch";
import type { AlarmState, AlarmView, Monitoring, TargetGroupMetrics } from "../ports.js";
import { type AwsSettings, clientConfig, countAwsCalls } from "./aws-config.js";
import { type CloudWatchSdk, loadCloudWatch } from "./aws-sdk.js";

/** `LoadBalancer` dimension: `app/<name>/<id>` from a listener (or load balancer) ARN. */
export function loadBalancerDimension(arn: string): string {
  const m = /:(?:listener|loadbalancer)\/(app\/[^/]+\/[^/]+)/.exec(arn);
  if (m?.[1] === undefined) throw new Error(`not an Application Load Balancer listener ARN: ${arn}`);
  return m[1];
}

/** `TargetGroup` dimension: `targetgroup/<name>/<id>` from a target group ARN. */
export function targetGroupDimension(arn: string): string {
  const m = /:(targetgroup\/[^/]+\/[^/]+)$/.exec(arn);
  if (m?.[1] === undefined) throw new Error(`not a target group ARN: ${arn}`);
  return m[1];
}

/** ALB metrics are published per minute. */
export const PERIOD_SECONDS = 60;

export function metricQueries(listenerArn: string, targetGroupArn: string): MetricDataQuery[] {
  const Dimensions = [
    { Name: "LoadBalancer", Value: loadBalancerDimension(listenerArn) },
    { Name: "TargetGroup", Value: targetGroupDimension(targetGroupArn) },
  ];
  const q = (Id: string, MetricName: string, Stat: string): MetricDataQuery => ({
    Id,
    MetricStat: { Metric: { Namespace: "AWS/ApplicationELB", MetricName, Dimensions }, Period: PERIOD_SECONDS, Stat },
    ReturnData: true,
  });
  return [
    q("requests", "RequestCount", "Sum"),
    q("target5xx", "HTTPCode_Target_5XX_Count", "Sum"),
    q("p99", "TargetResponseTime", "p99"),
    q("unhealthy", "UnHealthyHostCount", "Maximum"),
  ];
}

const STATES: readonly AlarmState[] = ["OK", "ALARM", "INSUFFICIENT_DATA"];

type Sdk = CloudWatchSdk;

export class AwsMonitoring implements Monitoring {
  private loaded: Promise<{ sdk: Sdk; client: CloudWatchClient }> | undefined;

  constructor(private readonly aws: AwsSettings) {}

  private cw(): Promise<{ sdk: Sdk; client: CloudWatchClient }> {
    this.loaded ??= Promise.resolve().then(() => {
      const sdk = loadCloudWatch();
      const client = new sdk.CloudWatchClient(clientConfig(this.aws));
      countAwsCalls(client);
      return { sdk, client };
    });
    return this.loaded;
  }

  async alarms(names: string[]): Promise<AlarmView[]> {
    const { sdk, client } = await this.cw();
    const out: AlarmView[] = [];
    // DescribeAlarms takes at most 100 names per call.
    for (let i = 0; i < names.length; i += 100) {
      const res = await client.send(new sdk.DescribeAlarmsCommand({ AlarmNames: names.slice(i, i + 100), AlarmTypes: ["MetricAlarm", "CompositeAlarm"] }));
      for (const a of [...(res.MetricAlarms ?? []), ...(res.CompositeAlarms ?? [])]) {
        const state = STATES.find((s) => s === a.StateValue) ?? "INSUFFICIENT_DATA";
        out.push({ name: a.AlarmName ?? "", state, reason: a.StateReason ?? "" });
      }
    }
    return out;
  }

  async targetGroupMetrics(q: { listenerArn: string; targetGroupArn: string; from: number; to: number }): Promise<TargetGroupMetrics> {
    const { sdk, client } = await this.cw();
    const res = await client.send(
      new sdk.GetMetricDataCommand({
        StartTime: new Date(q.from),
        // EndTime must be after StartTime; a window of less than a second still asks for one.
        EndTime: new Date(Math.max(q.to, q.from + 1000)),
        MetricDataQueries: metricQueries(q.listenerArn, q.targetGroupArn),
      }),
    );
    const values = (id: string) => res.MetricDataResults?.find((r) => r.Id === id)?.Values ?? [];
    const max = (v: number[]) => (v.length === 0 ? null : Math.max(...v));
    const total = (id: string) => values(id).reduce((s, v) => s + v, 0);
    return { requests: total("requests"), target5xx: total("target5xx"), p99ResponseSeconds: max(values("p99")), maxUnhealthyHosts: max(values("unhealthy")) };
  }
}
