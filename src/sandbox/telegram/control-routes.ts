// /_control/...: JSON control API of the emulator (tests and the sandbox drive it). Each route
// is a thin wrapper over the TelegramControl function of the same meaning.
import type { ServerResponse } from "node:http";
import { ControlError, isRecord } from "./control-error.js";
import { sendJson } from "./http-util.js";
import type { BotIdentity, FaultSpec, InjectedUpdate, StreamSpec } from "./types.js";
import type { TelegramWorld } from "./world.js";

function parseJson(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  let v: unknown;
  try {
    v = JSON.parse(body.toString("utf8"));
  } catch {
    throw new ControlError(400, "body must be JSON");
  }
  if (!isRecord(v)) throw new ControlError(400, "body must be a JSON object");
  return v;
}

function tokenOf(search: URLSearchParams): string {
  const token = search.get("token");
  if (token === null) throw new ControlError(400, "token query parameter is required");
  return token;
}

/** Dispatches one control request; answers 404 for an unknown route. */
function route(world: TelegramWorld, method: string, path: string, search: URLSearchParams, body: Buffer): unknown {
  const streamMatch = /^\/_control\/streams\/([^/]+)$/.exec(path);
  if (streamMatch?.[1] !== undefined) {
    const id = decodeURIComponent(streamMatch[1]);
    if (method === "GET") return world.getStream(id);
    if (method === "DELETE") return world.stopStream(id);
  }
  const key = `${method} ${path.replace(/\/$/, "")}`;
  switch (key) {
    case "GET /_control/health":
      return world.health();
    case "POST /_control/bots":
      world.addBot(parseJson(body) as unknown as BotIdentity);
      return { ok: true };
    case "POST /_control/updates": {
      const b = parseJson(body);
      return world.addUpdates(b.token as string, b.updates as InjectedUpdate[]);
    }
    case "GET /_control/updates":
      return world.getUpdates(tokenOf(search));
    case "POST /_control/streams":
      return world.startStream(parseJson(body) as unknown as StreamSpec);
    case "GET /_control/deliveries":
      return world.getDeliveries(tokenOf(search));
    case "GET /_control/messages":
      return world.getMessages(tokenOf(search));
    case "GET /_control/calls":
      return world.getCalls();
    case "POST /_control/faults":
      return world.addFault(parseJson(body) as unknown as FaultSpec);
    case "DELETE /_control/faults":
      world.clearFaults();
      return { ok: true };
    case "POST /_control/time-scale": {
      const b = parseJson(body);
      world.setTimeScale(b.timeScale as number);
      return { ok: true, timeScale: world.settings.timeScale };
    }
    default:
      throw new ControlError(404, "no such control route");
  }
}

export function handleControl(world: TelegramWorld, method: string, path: string, search: URLSearchParams, body: Buffer, res: ServerResponse): void {
  try {
    sendJson(res, 200, route(world, method, path, search, body));
  } catch (e) {
    if (e instanceof ControlError) sendJson(res, e.status, { error: e.message });
    else sendJson(res, 500, { error: "internal error" });
  }
}
