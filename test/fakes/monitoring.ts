// A stateful fake of the Monitoring port: alarms whose state a test sets (also on a schedule of
// the fake clock), per-target-group metrics, a failure switch, and the log of every call.
import type { AlarmState, AlarmView, Monitoring, TargetGroupMetrics } from "../../src/ports.js";

export class FakeMonitoring implements Monitoring {
  readonly alarmStates = new Map<string, { state: AlarmState; reason: string }>();
  /** Metrics per target group ARN; a group without an entry has no datapoints. */
  readonly metrics = new Map<string, TargetGroupMetrics>();
  /** Alarm changes that take effect once the clock reaches `at`. */
  readonly scheduled: { at: number; name: string; state: AlarmState; reason: string }[] = [];
  readonly calls: string[] = [];
  failing: Error | undefined;

  constructor(private readonly now: () => number = () => 0) {}

  setAlarm(name: string, state: AlarmState, reason = `set by the test`): void {
    this.alarmStates.set(name, { state, reason });
  }

  async alarms(names: string[]): Promise<AlarmView[]> {
    this.calls.push(`alarms ${names.join(",")}`);
    if (this.failing !== undefined) throw this.failing;
    for (const s of this.scheduled.filter((x) => x.at <= this.now())) {
      this.setAlarm(s.name, s.state, s.reason);
      this.scheduled.splice(this.scheduled.indexOf(s), 1);
    }
    return names.flatMap((name) => {
      const a = this.alarmStates.get(name);
      return a === undefined ? [] : [{ name, ...a }];
    });
  }

  async targetGroupMetrics(q: { listenerArn: string; targetGroupArn: string; from: number; to: number }): Promise<TargetGroupMetrics> {
    this.calls.push(`metrics ${q.targetGroupArn} ${q.from}..${q.to}`);
    if (this.failing !== undefined) throw this.failing;
    return this.metrics.get(q.targetGroupArn) ?? { requests: 0, target5xx: 0, p99ResponseSeconds: null, maxUnhealthyHosts: null };
  }
}
