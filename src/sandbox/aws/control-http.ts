// The /_control/ JSON routes, each a thin wrapper over AwsControl.
import type http from "node:http";
import type { AwsControl } from "./control.js";
import { ControlError } from "./control-schemas.js";

type Json = unknown;

export async function answerControl(control: AwsControl, method: string, path: string, body: string): Promise<{ status: number; json: Json }> {
  let input: Json = {};
  if (body.trim() !== "") {
    try {
      input = JSON.parse(body);
    } catch {
      return { status: 400, json: { error: "body is not valid JSON" } };
    }
  }
  try {
    return { status: 200, json: await route(control, method, path, input) };
  } catch (err) {
    if (err instanceof ControlError) return { status: err.status, json: { error: err.message } };
    return { status: 500, json: { error: (err as Error).message } };
  }
}

async function route(control: AwsControl, method: string, path: string, input: Json): Promise<Json> {
  const body = input as never;
  const instance = /^\/_control\/instances\/([^/]+)$/.exec(path);
  if (instance && method === "PATCH") {
    const id = decodeURIComponent(instance[1] ?? "");
    control.patchInstance(id, body);
    return control.state().instances.find((i) => i.instanceId === id);
  }
  const alarm = /^\/_control\/alarms\/([^/]+)$/.exec(path);
  if (alarm && method === "PUT") return control.setAlarm(decodeURIComponent(alarm[1] ?? ""), body);
  if (alarm && method === "DELETE") {
    control.deleteAlarm(decodeURIComponent(alarm[1] ?? ""));
    return {};
  }
  switch (`${method} ${path}`) {
    case "GET /_control/alarms":
      return control.alarms();
    case "POST /_control/instances":
      return control.addInstance(body);
    case "POST /_control/faults":
      return control.addFault(body);
    case "DELETE /_control/faults":
      control.clearFaults();
      return {};
    case "GET /_control/faults":
      return control.state().faults;
    case "GET /_control/state":
      return control.state();
    case "GET /_control/calls":
      return control.calls();
    case "DELETE /_control/calls":
      control.clearCalls();
      return {};
    case "POST /_control/time-scale":
      control.setTimeScale((input as { timeScale?: unknown }).timeScale as number);
      return { timeScale: control.timeScale };
    case "POST /_control/seed":
      return control.seed(body);
    default:
      throw new ControlError(404, `no control route ${method} ${path}`);
  }
}

export function sendJson(res: http.ServerResponse, status: number, json: Json): void {
  const text = JSON.stringify(json ?? null);
  res.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text) });
  res.end(text);
}
