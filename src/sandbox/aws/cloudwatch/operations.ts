// GetMetricData and DescribeAlarms over the emulator's data: inputs validated the way CloudWatch
// does (its error codes and wording), outputs in the member names of the service's JSON shapes.
import { AwsError } from "../errors.js";
import type { Runtime } from "../runtime.js";
import { ALARM_STATES, type Alarm } from "./alarms.js";
import { isSupportedStat, loadBalancerDimension } from "./metrics.js";

const invalid = (message: string) => new AwsError("InvalidParameterValue", message);

export function cloudWatchError(e: unknown): { code: string; message: string; status: number } {
  if (e instanceof AwsError) return { code: e.code, message: e.message, status: e.httpStatus };
  return { code: "InternalServiceError", message: `An internal error has occurred: ${e instanceof Error ? e.message : String(e)}`, status: 500 };
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Obj) : {});
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** Epoch seconds (the JSON protocol's timestamp format) to ms. */
function time(v: unknown, member: string): number {
  if (typeof v !== "number" || !Number.isFinite(v)) throw new AwsError("MissingParameter", `The parameter ${member} is required.`);
  return v * 1000;
}

export function getMetricData(rt: Runtime, input: Obj): Obj {
  const start = time(input.StartTime, "StartTime");
  const end = time(input.EndTime, "EndTime");
  if (end <= start) throw invalid("The parameter StartTime must be less than the parameter EndTime.");
  const queries = list(input.MetricDataQueries).map(obj);
  if (queries.length === 0) throw new AwsError("MissingParameter", "The parameter MetricDataQueries is required.");
  if (queries.length > 500) throw invalid("The collection MetricDataQueries must not have a size greater than 500.");
  const ascending = input.ScanBy === "TimestampAscending";
  const results = queries.map((q, i) => {
    const id = q.Id;
    if (typeof id !== "string" || !/^[a-z][a-zA-Z0-9_]*$/.test(id))
      throw invalid(`The value ${String(id)} for parameter MetricDataQueries.member.${i + 1}.Id is not valid.`);
    if (q.Expression !== undefined) throw invalid("Metric math expressions are not supported by the bluegreen emulator.");
    const stat = obj(q.MetricStat);
    const metric = obj(stat.Metric);
    const period = stat.Period;
    if (typeof period !== "number" || period < 1 || !(period % 60 === 0 || [1, 5, 10, 30].includes(period))) {
      throw invalid(`The parameter MetricDataQueries.member.${i + 1}.MetricStat.Period must be 1, 5, 10, 30, or a multiple of 60.`);
    }
    const statName = String(stat.Stat ?? "");
    if (!isSupportedStat(statName)) throw invalid(`The value ${statName} for parameter MetricDataQueries.member.${i + 1}.MetricStat.Stat is not supported.`);
    const dimensions: Record<string, string> = {};
    for (const d of list(metric.Dimensions).map(obj)) dimensions[String(d.Name)] = String(d.Value);
    const series = rt.metrics.query(
      {
        namespace: String(metric.Namespace ?? ""),
        metricName: String(metric.MetricName ?? ""),
        dimensions,
        stat: statName,
        start,
        end,
        periodMs: Math.max(1, period * 1000 * rt.timeScale),
      },
      (tgArn, lb) => rt.world.loadBalancersOf(tgArn).some((a) => loadBalancerDimension(a) === lb),
    );
    const order = ascending ? [...series.timestamps.keys()].reverse() : [...series.timestamps.keys()];
    return {
      Id: id,
      Label: typeof q.Label === "string" ? q.Label : String(metric.MetricName ?? id),
      Timestamps: order.map((k) => (series.timestamps[k] ?? 0) / 1000),
      Values: order.map((k) => series.values[k] ?? 0),
      StatusCode: "Complete",
      Messages: [],
    };
  });
  return { MetricDataResults: results.filter((_, i) => queries[i]?.ReturnData !== false), Messages: [] };
}

export function describeAlarms(rt: Runtime, input: Obj): Obj {
  const names = list(input.AlarmNames).map(String);
  if (names.length > 100) throw invalid("The collection AlarmNames must not have a size greater than 100.");
  const prefix = typeof input.AlarmNamePrefix === "string" ? input.AlarmNamePrefix : undefined;
  if (prefix !== undefined && names.length > 0)
    throw new AwsError("InvalidParameterCombination", "AlarmNamePrefix and AlarmNames cannot be specified together.");
  const state = input.StateValue;
  if (state !== undefined && !ALARM_STATES.includes(state as Alarm["state"]))
    throw invalid(`The value ${String(state)} for parameter StateValue is not valid.`);
  const types = list(input.AlarmTypes).map(String);
  const wantMetric = types.length === 0 || types.includes("MetricAlarm");
  const alarms = rt.alarms
    .list()
    .filter(
      (a) =>
        (names.length === 0 || names.includes(a.name)) && (prefix === undefined || a.name.startsWith(prefix)) && (state === undefined || a.state === state),
    );
  return { MetricAlarms: wantMetric ? alarms.map(metricAlarm) : [], CompositeAlarms: [] };
}

function metricAlarm(a: Alarm): Obj {
  return {
    AlarmName: a.name,
    AlarmArn: a.arn,
    AlarmConfigurationUpdatedTimestamp: a.configurationUpdatedAt.getTime() / 1000,
    ActionsEnabled: true,
    OKActions: [],
    AlarmActions: [],
    InsufficientDataActions: [],
    StateValue: a.state,
    StateReason: a.reason,
    StateUpdatedTimestamp: a.updatedAt.getTime() / 1000,
    StateTransitionedTimestamp: a.transitionedAt.getTime() / 1000,
    MetricName: "HTTPCode_Target_5XX_Count",
    Namespace: "AWS/ApplicationELB",
    Statistic: "Sum",
    Dimensions: [],
    Period: 60,
    EvaluationPeriods: 1,
    Threshold: 1,
    ComparisonOperator: "GreaterThanOrEqualToThreshold",
  };
}
