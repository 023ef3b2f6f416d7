// CloudWatch alarms of the emulated account. Tests create them and set their state through the
// control API (as `aws cloudwatch set-alarm-state` would); DescribeAlarms reads them.
import { ACCOUNT_ID } from "../arn.js";

export type AlarmState = "OK" | "ALARM" | "INSUFFICIENT_DATA";
export const ALARM_STATES: readonly AlarmState[] = ["OK", "ALARM", "INSUFFICIENT_DATA"];

export interface Alarm {
  name: string;
  arn: string;
  state: AlarmState;
  reason: string;
  updatedAt: Date;
  transitionedAt: Date;
  configurationUpdatedAt: Date;
}

export class Alarms {
  private readonly byName = new Map<string, Alarm>();

  constructor(private readonly region: () => string) {}

  /** Creates the alarm (as PutMetricAlarm would, in INSUFFICIENT_DATA unless a state is given) or sets its state. */
  set(name: string, state: AlarmState, reason: string | undefined, now = new Date()): Alarm {
    const existing = this.byName.get(name);
    if (existing !== undefined) {
      if (existing.state !== state) existing.transitionedAt = now;
      existing.state = state;
      existing.reason = reason ?? `set through the emulator's control API`;
      existing.updatedAt = now;
      return existing;
    }
    const alarm: Alarm = {
      name,
      arn: `arn:aws:cloudwatch:${this.region()}:${ACCOUNT_ID}:alarm:${name}`,
      state,
      reason: reason ?? "created through the emulator's control API",
      updatedAt: now,
      transitionedAt: now,
      configurationUpdatedAt: now,
    };
    this.byName.set(name, alarm);
    return alarm;
  }

  delete(name: string): boolean {
    return this.byName.delete(name);
  }

  get(name: string): Alarm | undefined {
    return this.byName.get(name);
  }

  list(): Alarm[] {
    return [...this.byName.values()].sort((a, b) => a.name.localeCompare(b.name));
  }
}
