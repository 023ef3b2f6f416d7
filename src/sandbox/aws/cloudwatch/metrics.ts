// The ALB's per-target-group CloudWatch metrics, computed from the emulator's own data plane:
// every proxied request is recorded (status, time to response headers) and every health probe
// samples the group's unhealthy host count. Periods are in emulated seconds, scaled to real time by
// the runtime's time scale, so a 60-second period at time scale 0.02 is 1.2 real seconds.

export interface RequestEvent {
  at: number;
  loadBalancerArn: string;
  targetGroupArn: string;
  /** The target's status; undefined when the ALB answered itself (502/503). */
  targetStatus?: number;
  elbStatus?: number;
  /** Seconds from sending the request to the target until its response headers arrived. */
  targetSeconds?: number;
}

interface HealthSample {
  at: number;
  unhealthy: number;
  healthy: number;
}

/** CloudWatch dimension values: the part of an ARN after `loadbalancer/` or the `targetgroup/...` resource. */
export function loadBalancerDimension(arn: string): string {
  const at = arn.indexOf(":loadbalancer/");
  return at < 0 ? arn : arn.slice(at + ":loadbalancer/".length);
}

export function targetGroupDimension(arn: string): string {
  const at = arn.indexOf(":targetgroup/");
  return at < 0 ? arn : arn.slice(at + 1);
}

export interface MetricQuery {
  namespace: string;
  metricName: string;
  dimensions: Record<string, string>;
  stat: string;
  /** Epoch ms. */
  start: number;
  end: number;
  /** Real milliseconds per period (already scaled). */
  periodMs: number;
}

export interface Series {
  timestamps: number[];
  values: number[];
}

const MAX_EVENTS = 200_000;

export const METRIC_NAMES = [
  "RequestCount",
  "HTTPCode_Target_2XX_Count",
  "HTTPCode_Target_4XX_Count",
  "HTTPCode_Target_5XX_Count",
  "HTTPCode_ELB_5XX_Count",
  "TargetResponseTime",
  "UnHealthyHostCount",
  "HealthyHostCount",
] as const;

export class AlbMetrics {
  private events: RequestEvent[] = [];
  /** targetGroupArn -> samples in time order (a step function: each holds until the next). */
  private readonly health = new Map<string, HealthSample[]>();

  record(e: RequestEvent): void {
    this.events.push(e);
    if (this.events.length > MAX_EVENTS) this.events = this.events.slice(-MAX_EVENTS / 2);
  }

  sampleHealth(targetGroupArn: string, counts: { unhealthy: number; healthy: number }, at = Date.now()): void {
    const list = this.health.get(targetGroupArn) ?? [];
    const last = list[list.length - 1];
    if (last !== undefined && last.unhealthy === counts.unhealthy && last.healthy === counts.healthy) return;
    list.push({ at, ...counts });
    if (list.length > 10_000) list.splice(0, 5_000);
    this.health.set(targetGroupArn, list);
  }

  /** Datapoints of one metric, newest first (CloudWatch's default TimestampDescending); empty periods are left out. */
  query(q: MetricQuery, belongs: (targetGroupArn: string, loadBalancerArn: string) => boolean): Series {
    if (q.namespace !== "AWS/ApplicationELB") return { timestamps: [], values: [] };
    const names = Object.keys(q.dimensions).sort().join(",");
    if (names !== "LoadBalancer" && names !== "LoadBalancer,TargetGroup") return { timestamps: [], values: [] };
    const lb = q.dimensions.LoadBalancer;
    const tg = q.dimensions.TargetGroup;
    const buckets = Math.max(0, Math.ceil((q.end - q.start) / q.periodMs));
    const out: Series = { timestamps: [], values: [] };
    for (let i = buckets - 1; i >= 0; i--) {
      const from = q.start + i * q.periodMs;
      const to = Math.min(q.end, from + q.periodMs);
      const samples =
        q.metricName === "UnHealthyHostCount" || q.metricName === "HealthyHostCount"
          ? this.healthSamples(
              q.metricName,
              from,
              to,
              (tgArn) => (tg === undefined || targetGroupDimension(tgArn) === tg) && this.lbMatches(lb, tgArn, belongs),
            )
          : this.requestSamples(q.metricName, from, to, lb, tg);
      if (samples === null || samples.length === 0) continue;
      out.timestamps.push(from);
      out.values.push(statistic(q.stat, samples));
    }
    return out;
  }

  private lbMatches(lb: string | undefined, tgArn: string, belongs: (tg: string, lb: string) => boolean): boolean {
    if (lb === undefined) return true;
    return belongs(tgArn, lb);
  }

  private requestSamples(metric: string, from: number, to: number, lb: string | undefined, tg: string | undefined): number[] | null {
    const mine = this.events.filter(
      (e) =>
        e.at >= from &&
        e.at < to &&
        (lb === undefined || loadBalancerDimension(e.loadBalancerArn) === lb) &&
        (tg === undefined || targetGroupDimension(e.targetGroupArn) === tg),
    );
    const count = (pred: (e: RequestEvent) => boolean) => {
      const n = mine.filter(pred).length;
      // The ALB publishes a count only in periods where it happened.
      return n === 0 ? null : [n];
    };
    switch (metric) {
      case "RequestCount":
        return count(() => true);
      case "HTTPCode_Target_2XX_Count":
        return count((e) => e.targetStatus !== undefined && e.targetStatus >= 200 && e.targetStatus < 300);
      case "HTTPCode_Target_4XX_Count":
        return count((e) => e.targetStatus !== undefined && e.targetStatus >= 400 && e.targetStatus < 500);
      case "HTTPCode_Target_5XX_Count":
        return count((e) => e.targetStatus !== undefined && e.targetStatus >= 500);
      case "HTTPCode_ELB_5XX_Count":
        return count((e) => e.elbStatus !== undefined && e.elbStatus >= 500);
      case "TargetResponseTime":
        return mine.flatMap((e) => (e.targetSeconds === undefined ? [] : [e.targetSeconds]));
      default:
        return null;
    }
  }

  private healthSamples(metric: "UnHealthyHostCount" | "HealthyHostCount", from: number, to: number, wanted: (tgArn: string) => boolean): number[] {
    const out: number[] = [];
    for (const [tgArn, list] of this.health) {
      if (!wanted(tgArn)) continue;
      // The value holding at the period's start, then every change inside it.
      let before: HealthSample | undefined;
      for (const s of list) {
        if (s.at < from) before = s;
        else if (s.at < to) out.push(metric === "UnHealthyHostCount" ? s.unhealthy : s.healthy);
      }
      if (before !== undefined) out.push(metric === "UnHealthyHostCount" ? before.unhealthy : before.healthy);
    }
    return out;
  }
}

/** Sum, SampleCount, Average, Minimum, Maximum and percentiles (p99, p99.9, ...). */
export function statistic(stat: string, samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const n = sorted.length;
  switch (stat) {
    case "Sum":
      return sorted.reduce((s, v) => s + v, 0);
    case "SampleCount":
      return n;
    case "Average":
      return sorted.reduce((s, v) => s + v, 0) / n;
    case "Minimum":
      return sorted[0] ?? 0;
    case "Maximum":
      return sorted[n - 1] ?? 0;
  }
  const p = /^p(\d{1,2}(?:\.\d+)?|100)$/.exec(stat);
  if (p) {
    // Nearest rank, as CloudWatch's percentiles over raw samples.
    const rank = Math.max(1, Math.ceil((Number(p[1]) / 100) * n));
    return sorted[rank - 1] ?? 0;
  }
  throw new Error(`unsupported statistic ${stat}`);
}

export function isSupportedStat(stat: string): boolean {
  return ["Sum", "SampleCount", "Average", "Minimum", "Maximum"].includes(stat) || /^p(\d{1,2}(?:\.\d+)?|100)$/.test(stat);
}
