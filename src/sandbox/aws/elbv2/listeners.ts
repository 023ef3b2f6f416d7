// CreateListener / DescribeListeners / ModifyListener. Each listener owns a real data-plane HTTP
// server; ModifyListener's new default actions apply to the next request it routes.
import { listenerArn, ruleArn } from "../arn.js";
import { AwsError, checkRange, validationError } from "../errors.js";
import { has, int, list, requireStr, str, strList } from "../query.js";
import type { Handler, Runtime } from "../runtime.js";
import type { Action, Listener, LoadBalancer } from "../world.js";
import type { XmlValue } from "../xml.js";
import { readActions, renderAction } from "./actions.js";
import { getListener, getLoadBalancer } from "./lookup.js";
import { applyTags, readTags } from "./tags.js";

function checkProtocol(protocol: string): void {
  if (protocol !== "HTTP") throw new AwsError("UnsupportedProtocol", `Protocol '${protocol}' is not supported by this emulator: use 'HTTP'`);
}

export async function createListenerIn(
  rt: Runtime,
  lb: LoadBalancer,
  input: { port: number; protocol: string; actions: Action[]; tags?: Map<string, string>; dataPlanePort?: number },
): Promise<Listener> {
  checkRange("port", input.port, 1, 65535);
  checkProtocol(input.protocol);
  const existing = rt.world.listenersOf(lb.arn).find((l) => l.port === input.port);
  if (existing) {
    // Creating the same listener again succeeds, as on AWS; a different one on the port does not.
    if (JSON.stringify(existing.defaultActions) === JSON.stringify(input.actions) && existing.protocol === input.protocol) return existing;
    throw new AwsError("DuplicateListener", "A listener already exists on this port for this load balancer");
  }
  const arn = listenerArn(lb.arn, input.port);
  const listener: Listener = {
    arn,
    loadBalancerArn: lb.arn,
    port: input.port,
    protocol: input.protocol,
    defaultActions: input.actions,
    defaultRuleArn: ruleArn(arn, "default"),
    tags: new Map(),
    dataPlanePort: 0,
  };
  applyTags(listener.tags, input.tags ?? new Map());
  try {
    listener.dataPlanePort = await rt.dataPlane.open(arn, input.dataPlanePort ?? rt.dataPlanePortFor(input.port));
  } catch (err) {
    throw new AwsError("InternalFailure", `Could not open the listener's data-plane port: ${(err as Error).message}`, 500);
  }
  rt.world.listeners.set(arn, listener);
  return listener;
}

export function renderListener(l: Listener): XmlValue {
  return {
    ListenerArn: l.arn,
    LoadBalancerArn: l.loadBalancerArn,
    Port: l.port,
    Protocol: l.protocol,
    DefaultActions: l.defaultActions.map(renderAction),
  };
}

export const createListener: Handler = async (rt, p) => {
  const lb = getLoadBalancer(rt.world, requireStr(p, "LoadBalancerArn"));
  const port = int(p, "Port");
  if (port === undefined) throw validationError("A listener port must be specified");
  const listener = await createListenerIn(rt, lb, {
    port,
    protocol: str(p, "Protocol") ?? "HTTP",
    actions: readActions(rt.world, list(p, "DefaultActions"), "defaultActions", lb.arn),
    tags: readTags(list(p, "Tags")),
  });
  return { Listeners: [renderListener(listener)] };
};

export const describeListeners: Handler = (rt, p) => {
  if (has(p, "ListenerArns")) {
    return { Listeners: strList(p, "ListenerArns").map((arn) => renderListener(getListener(rt.world, arn))) };
  }
  const lbArn = str(p, "LoadBalancerArn");
  if (lbArn === undefined) throw validationError("You must specify either listener ARNs or a load balancer ARN");
  getLoadBalancer(rt.world, lbArn);
  return { Listeners: rt.world.listenersOf(lbArn).map(renderListener) };
};

export const modifyListener: Handler = async (rt, p) => {
  const listener = getListener(rt.world, requireStr(p, "ListenerArn"));
  const protocol = str(p, "Protocol");
  if (protocol !== undefined) checkProtocol(protocol);
  const port = int(p, "Port");
  checkRange("port", port, 1, 65535);
  if (port !== undefined && rt.world.listenersOf(listener.loadBalancerArn).some((l) => l.port === port && l !== listener)) {
    throw new AwsError("DuplicateListener", "A listener already exists on this port for this load balancer");
  }
  // Validate everything before changing anything: a failed call leaves the listener as it was.
  const actions = has(p, "DefaultActions") ? readActions(rt.world, list(p, "DefaultActions"), "defaultActions", listener.loadBalancerArn) : undefined;
  if (port !== undefined && port !== listener.port) {
    const wanted = rt.dataPlanePortFor(port);
    if (wanted !== 0 && wanted !== listener.dataPlanePort) {
      await rt.dataPlane.close(listener.arn);
      listener.dataPlanePort = await rt.dataPlane.open(listener.arn, wanted);
    }
    listener.port = port;
  }
  if (protocol !== undefined) listener.protocol = protocol;
  if (actions) listener.defaultActions = actions;
  return { Listeners: [renderListener(listener)] };
};
