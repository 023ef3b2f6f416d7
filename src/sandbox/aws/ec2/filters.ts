// EC2 request parameters: instance ids (validated as EC2 does) and filters with `*`/`?` wildcards.
import { AwsError } from "../errors.js";
import { list, type QueryNode, str, strList } from "../query.js";
import { wildcard } from "../routing.js";
import type { Instance, World } from "../world.js";

export interface Filter {
  name: string;
  values: string[];
}

export function readFilters(p: QueryNode): Filter[] {
  return list(p, "Filter").map((f) => ({ name: str(f, "Name") ?? "", values: strList(f, "Value") }));
}

/** The instances named by `InstanceId.N`, in order; unknown ids raise InvalidInstanceID.NotFound. */
export function requestedInstances(world: World, p: QueryNode): Instance[] | undefined {
  const ids = strList(p, "InstanceId");
  if (ids.length === 0) return undefined;
  for (const id of ids) {
    if (!/^i-(?:[0-9a-f]{8}|[0-9a-f]{17})$/.test(id)) throw new AwsError("InvalidInstanceID.Malformed", `Invalid id: "${id}"`);
  }
  const missing = ids.filter((id) => !world.instances.has(id));
  if (missing.length === 1) throw new AwsError("InvalidInstanceID.NotFound", `The instance ID '${missing[0]}' does not exist`);
  if (missing.length > 1) throw new AwsError("InvalidInstanceID.NotFound", `The instance IDs '${missing.join(", ")}' do not exist`);
  return [...new Set(ids)].map((id) => world.instances.get(id) as Instance);
}

/** The value(s) an instance has for a filter name, or undefined when EC2 does not know the filter. */
type FieldReader = (i: Instance, filterName: string) => string[] | undefined;

export const instanceFields: FieldReader = (i, name) => {
  if (name.startsWith("tag:")) {
    const v = i.tags.get(name.slice(4));
    return v === undefined ? [] : [v];
  }
  switch (name) {
    case "instance-id":
      return [i.id];
    case "instance-state-name":
      return [i.state];
    case "tag-key":
      return [...i.tags.keys()];
    case "tag-value":
      return [...i.tags.values()];
    case "private-ip-address":
      return [i.privateIp];
    case "ip-address":
      return i.publicIp ? [i.publicIp] : [];
    case "availability-zone":
      return [i.availabilityZone];
    case "instance-type":
      return [i.instanceType];
    default:
      return undefined;
  }
};

// A stand-in instance used only to ask a field reader whether it knows a filter name.
const PROBE: Instance = {
  id: "i-00000000000000000",
  privateIp: "0.0.0.0",
  state: "running",
  instanceStatus: "ok",
  systemStatus: "ok",
  tags: new Map(),
  launchTime: new Date(0),
  reservationId: "r-00000000000000000",
  imageId: "ami-00000000000000000",
  instanceType: "t3.micro",
  availabilityZone: "xx-0a",
};

/** Keeps the instances that match every filter (any value of a filter may match). */
export function applyFilters(instances: Instance[], filters: Filter[], fields: FieldReader): Instance[] {
  for (const f of filters) {
    if (fields(PROBE, f.name) === undefined) throw new AwsError("InvalidParameterValue", `The filter '${f.name}' is invalid`);
  }
  return instances.filter((i) =>
    filters.every((f) => {
      const have = fields(i, f.name) ?? [];
      return f.values.some((v) => have.some((h) => wildcard(v, "").test(h)));
    }),
  );
}
