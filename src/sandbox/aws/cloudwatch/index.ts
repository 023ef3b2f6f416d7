// CloudWatch as the pinned @aws-sdk/client-cloudwatch speaks it: AWS JSON 1.0 (`X-Amz-Target:
// GraniteServiceVersion20100801.<Operation>`, `Content-Type: application/x-amz-json-1.0`) with
// awsQueryCompatible errors (`__type` plus the `x-amzn-query-error: Code;Sender` header).
// Timestamps travel as epoch seconds. Only the calls bluegreen makes are answered.

import type { Runtime } from "../runtime.js";
import { cloudWatchError, describeAlarms, getMetricData } from "./operations.js";

export const CLOUDWATCH_TARGET_PREFIX = "GraniteServiceVersion20100801.";

export interface JsonAnswer {
  status: number;
  body: string;
  headers: Record<string, string>;
}

const handlers: Record<string, (rt: Runtime, input: Record<string, unknown>) => unknown> = {
  GetMetricData: getMetricData,
  DescribeAlarms: describeAlarms,
};

export function isCloudWatchCall(target: string | undefined): boolean {
  return target?.startsWith(CLOUDWATCH_TARGET_PREFIX) === true;
}

export async function answerCloudWatchCall(rt: Runtime, target: string, body: string, requestId: string): Promise<JsonAnswer> {
  const action = target.slice(CLOUDWATCH_TARGET_PREFIX.length);
  rt.calls.push({ action, at: new Date().toISOString(), service: "cloudwatch" });
  const fault = rt.faults.take(action, "cloudwatch");
  if (fault.latencyMs > 0) await new Promise((r) => setTimeout(r, fault.latencyMs));
  if (fault.error) return errorAnswer(fault.error.code, fault.error.message, fault.error.httpStatus, requestId);
  const handler = handlers[action];
  if (handler === undefined) return errorAnswer("InvalidAction", `Could not find operation ${action}`, 400, requestId);
  let input: Record<string, unknown>;
  try {
    input = body.trim() === "" ? {} : (JSON.parse(body) as Record<string, unknown>);
  } catch {
    return errorAnswer("SerializationException", "the request body is not JSON", 400, requestId);
  }
  try {
    const out = handler(rt, input);
    const text = JSON.stringify(out);
    return { status: 200, body: text, headers: { "Content-Type": "application/x-amz-json-1.0", "x-amzn-RequestId": requestId } };
  } catch (e) {
    const err = cloudWatchError(e);
    return errorAnswer(err.code, err.message, err.status, requestId);
  }
}

/** The shape names of the service's error codes, for `__type` (the SDK maps either back to its class). */
const SHAPE: Record<string, string> = {
  InvalidParameterValue: "InvalidParameterValueException",
  InvalidParameterCombination: "InvalidParameterCombinationException",
  MissingParameter: "MissingRequiredParameterException",
  ResourceNotFound: "ResourceNotFound",
  LimitExceeded: "LimitExceededFault",
  InternalServiceError: "InternalServiceFault",
};

function errorAnswer(code: string, message: string, status: number, requestId: string): JsonAnswer {
  const shape = SHAPE[code] ?? code;
  const type = status >= 500 ? "Receiver" : "Sender";
  return {
    status,
    body: JSON.stringify({ __type: `com.amazonaws.cloudwatch#${shape}`, message }),
    headers: { "Content-Type": "application/x-amz-json-1.0", "x-amzn-RequestId": requestId, "x-amzn-query-error": `${code};${type}` },
  };
}
