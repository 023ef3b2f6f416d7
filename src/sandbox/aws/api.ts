// The Query-protocol entry point: decides the service (by Version, else by action), records the
// call, applies injected faults, runs the handler and renders the answer or the error.
import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { EC2_VERSION, ec2Handlers } from "./ec2/index.js";
import { ELBV2_VERSION, elbv2Handlers } from "./elbv2/index.js";
import { AwsError } from "./errors.js";
import { ec2ErrorBody, ec2Response, elbv2ErrorBody, elbv2Response, type Service } from "./protocol.js";
import { parseQuery, str } from "./query.js";
import type { Runtime } from "./runtime.js";

export interface ApiAnswer {
  status: number;
  body: string;
  requestId: string;
}

function serviceOf(action: string, version: string | undefined): Service {
  if (version === ELBV2_VERSION) return "elbv2";
  if (version === EC2_VERSION) return "ec2";
  return action in ec2Handlers ? "ec2" : "elbv2";
}

/** The region of the SigV4 credential scope: `Credential=AKID/20240101/<region>/<service>/aws4_request`. */
export function regionFromAuthorization(header: string | undefined, fallback: string): string {
  const m = header ? /Credential=[^/,]+\/\d{8}\/([^/,]+)\//.exec(header) : null;
  return m?.[1] ?? fallback;
}

export async function answerApiCall(rt: Runtime, body: string, authorization: string | undefined): Promise<ApiAnswer> {
  const params = parseQuery(body);
  const action = str(params, "Action") ?? "";
  const version = str(params, "Version");
  const service = serviceOf(action, version);
  const requestId = randomUUID();
  rt.calls.push({ action, at: new Date().toISOString(), service });
  const fail = (err: AwsError): ApiAnswer => ({
    status: err.httpStatus,
    body: service === "ec2" ? ec2ErrorBody(err, requestId) : elbv2ErrorBody(err, requestId),
    requestId,
  });
  const fault = rt.faults.take(action, service);
  if (fault.latencyMs > 0) await sleep(fault.latencyMs);
  if (fault.error) return fail(fault.error);
  const handler = (service === "ec2" ? ec2Handlers : elbv2Handlers)[action];
  if (!handler) return fail(new AwsError("InvalidAction", `Could not find operation ${action} for version ${version ?? "(none)"}`));
  try {
    const result = await handler(rt, params, { region: regionFromAuthorization(authorization, rt.world.defaultRegion) });
    const xml = service === "ec2" ? ec2Response(action, result, requestId) : elbv2Response(action, result, requestId);
    return { status: 200, body: xml, requestId };
  } catch (err) {
    if (err instanceof AwsError) return fail(err);
    const internal = service === "ec2" ? "InternalError" : "InternalFailure";
    return fail(new AwsError(internal, `An internal error has occurred: ${(err as Error).message}`, 500));
  } finally {
    rt.changed();
  }
}
