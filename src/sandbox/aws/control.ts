// AwsControl: the in-process twin of the /_control/ HTTP API. Tests and the sandbox use it to add
// instances, inject faults, read the whole state, count calls, change the time scale and seed.
import { hexId } from "./arn.js";
import type { Alarm } from "./cloudwatch/alarms.js";
import type { SeedSpec } from "./control-schemas.js";
import {
  type AlarmStateBody,
  alarmStateSchema,
  ControlError,
  faultSchema,
  type InstancePatch,
  instancePatchSchema,
  type NewInstance,
  newInstanceSchema,
  parseBody,
  timeScaleSchema,
} from "./control-schemas.js";
import type { FaultSpec } from "./faults.js";
import type { CallRecord, Runtime } from "./runtime.js";
import { type SeedResult, seedWorld } from "./seed.js";
import { dumpState, type StateDump } from "./state-dump.js";
import type { Instance, InstanceState, StatusValue } from "./world.js";

export class AwsControl {
  constructor(private readonly rt: Runtime) {}

  addInstance(body: NewInstance): { instanceId: string } {
    const input = parseBody(newInstanceSchema, body);
    const world = this.rt.world;
    const id = input.instanceId ?? this.freshInstanceId(input.privateIp);
    if (world.instances.has(id)) throw new ControlError(409, `instance '${id}' already exists`);
    const instance: Instance = {
      id,
      privateIp: input.privateIp,
      publicIp: input.publicIp,
      state: input.state as InstanceState,
      instanceStatus: input.instanceStatus as StatusValue,
      systemStatus: input.systemStatus as StatusValue,
      tags: new Map(Object.entries(input.tags)),
      launchTime: new Date(),
      reservationId: `r-${hexId(`reservation|${id}`, 17)}`,
      imageId: input.imageId ?? "ami-0a1b2c3d4e5f60718",
      instanceType: input.instanceType ?? "t3.small",
      availabilityZone: input.availabilityZone ?? `${world.defaultRegion}a`,
    };
    world.instances.set(id, instance);
    this.rt.changed();
    return { instanceId: id };
  }

  patchInstance(id: string, body: InstancePatch): void {
    const patch = parseBody(instancePatchSchema, body);
    const instance = this.rt.world.instances.get(id);
    if (!instance) throw new ControlError(404, `instance '${id}' not found`);
    if (patch.state !== undefined) instance.state = patch.state as InstanceState;
    if (patch.instanceStatus !== undefined) instance.instanceStatus = patch.instanceStatus as StatusValue;
    if (patch.systemStatus !== undefined) instance.systemStatus = patch.systemStatus as StatusValue;
    if (patch.privateIp !== undefined) instance.privateIp = patch.privateIp;
    if (patch.publicIp !== undefined) instance.publicIp = patch.publicIp;
    if (patch.tags !== undefined) instance.tags = new Map(Object.entries(patch.tags));
    this.rt.changed();
  }

  addFault(body: FaultSpec): { faultId: string } {
    const spec = parseBody(faultSchema, body);
    try {
      return { faultId: this.rt.faults.add(spec) };
    } catch (err) {
      throw new ControlError(400, (err as Error).message);
    }
  }

  /** Creates a CloudWatch alarm or sets its state (what `aws cloudwatch set-alarm-state` does). */
  setAlarm(name: string, body: AlarmStateBody): AlarmView {
    const input = parseBody(alarmStateSchema, body);
    if (name.length < 1 || name.length > 255) throw new ControlError(400, "an alarm name is 1 to 255 characters");
    return alarmView(this.rt.alarms.set(name, input.state, input.reason));
  }

  deleteAlarm(name: string): void {
    if (!this.rt.alarms.delete(name)) throw new ControlError(404, `alarm '${name}' not found`);
  }

  alarms(): AlarmView[] {
    return this.rt.alarms.list().map(alarmView);
  }

  clearFaults(): void {
    this.rt.faults.clear();
  }

  state(): StateDump {
    return dumpState(this.rt);
  }

  calls(): CallRecord[] {
    return this.rt.calls.map((c) => ({ ...c }));
  }

  clearCalls(): void {
    this.rt.calls = [];
  }

  get timeScale(): number {
    return this.rt.timeScale;
  }

  setTimeScale(timeScale: number): void {
    this.rt.timeScale = parseBody(timeScaleSchema, { timeScale }).timeScale;
    this.rt.health.rescheduleAll();
  }

  seed(spec: SeedSpec): Promise<SeedResult> {
    return seedWorld(this.rt, spec);
  }

  /** `i-` + 17 hex digits, derived from the address and arrival order so seeded worlds repeat. */
  private freshInstanceId(privateIp: string): string {
    for (let n = this.rt.world.instances.size; ; n++) {
      const id = `i-${hexId(`instance|${privateIp}|${n}`, 17)}`;
      if (!this.rt.world.instances.has(id)) return id;
    }
  }
}

export interface AlarmView {
  name: string;
  arn: string;
  state: Alarm["state"];
  reason: string;
  updatedAt: string;
}

function alarmView(a: Alarm): AlarmView {
  return { name: a.name, arn: a.arn, state: a.state, reason: a.reason, updatedAt: a.updatedAt.toISOString() };
}
