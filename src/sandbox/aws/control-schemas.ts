// Shapes of the control API's JSON bodies (the HTTP routes and the in-process twin share them).
import { z } from "zod";
import { INSTANCE_STATES, STATUS_VALUES } from "./world.js";

const state = z.enum(INSTANCE_STATES as [string, ...string[]]);
const status = z.enum(STATUS_VALUES as [string, ...string[]]);
const ipv4 = z.string().regex(/^\d{1,3}(\.\d{1,3}){3}$/, "must be an IPv4 address");

export const newInstanceSchema = z.strictObject({
  instanceId: z
    .string()
    .regex(/^i-(?:[0-9a-f]{8}|[0-9a-f]{17})$/, "must look like i- followed by 8 or 17 hex digits")
    .optional(),
  tags: z.record(z.string(), z.string()).default({}),
  privateIp: ipv4,
  publicIp: ipv4.optional(),
  state: state.default("running"),
  instanceStatus: status.default("ok"),
  systemStatus: status.default("ok"),
  availabilityZone: z.string().optional(),
  instanceType: z.string().optional(),
  imageId: z.string().optional(),
});
export type NewInstance = z.input<typeof newInstanceSchema>;

export const instancePatchSchema = z.strictObject({
  state: state.optional(),
  instanceStatus: status.optional(),
  systemStatus: status.optional(),
  privateIp: ipv4.optional(),
  publicIp: ipv4.optional(),
  tags: z.record(z.string(), z.string()).optional(),
});
export type InstancePatch = z.input<typeof instancePatchSchema>;

export const alarmStateSchema = z.strictObject({
  state: z.enum(["OK", "ALARM", "INSUFFICIENT_DATA"]),
  reason: z.string().optional(),
});
export type AlarmStateBody = z.input<typeof alarmStateSchema>;

export const faultSchema = z.strictObject({
  action: z.string().min(1),
  kind: z.enum(["throttle", "error", "latency"]),
  times: z.number().int().positive().optional(),
  code: z.string().min(1).optional(),
  message: z.string().optional(),
  httpStatus: z.number().int().min(400).max(599).optional(),
  latencyMs: z.number().min(0).optional(),
});

export const timeScaleSchema = z.strictObject({ timeScale: z.number().positive() });

export const seedSchema = z.strictObject({
  name: z.string().min(1),
  listenerPort: z.number().int().min(1).max(65535),
  /** The local port for the listener's data plane; default: listenerPorts mapping, else ephemeral. */
  dataPlanePort: z.number().int().min(0).max(65535).optional(),
  targetGroups: z.array(z.strictObject({ name: z.string().min(1), port: z.number().int().min(1).max(65535), healthCheckPath: z.string().default("/") })).min(1),
  colourRules: z
    .array(z.strictObject({ pathPattern: z.string().min(1), targetGroup: z.string().min(1), priority: z.number().int().min(1).max(50000) }))
    .default([]),
  defaultTargetGroup: z.string().min(1),
});
export type SeedSpec = z.input<typeof seedSchema>;

export class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "ControlError";
  }
}

/** Parses a body, turning schema failures into a 400 with `path: message` lines. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const result = schema.safeParse(body);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `${i.path.join(".") || "(body)"}: ${i.message}`);
    throw new ControlError(400, lines.join("; "));
  }
  return result.data;
}
