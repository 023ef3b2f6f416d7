// DescribeInstances and DescribeInstanceStatus, with EC2's lower-case XML names
// (`reservationSet`, `instancesSet`, `instanceState`, `ipAddress`, `tagSet`, ...).
import { ACCOUNT_ID, hexId, vpcIdFor } from "../arn.js";
import { bool } from "../query.js";
import type { Handler } from "../runtime.js";
import { INSTANCE_STATE_CODES, type Instance, type StatusValue } from "../world.js";
import type { XmlValue } from "../xml.js";
import { applyFilters, instanceFields, readFilters, requestedInstances } from "./filters.js";

function regionOf(i: Instance): string {
  return i.availabilityZone.slice(0, -1);
}

function renderInstance(i: Instance): XmlValue {
  const region = regionOf(i);
  return {
    instanceId: i.id,
    imageId: i.imageId,
    instanceState: { code: INSTANCE_STATE_CODES[i.state], name: i.state },
    privateDnsName: `ip-${i.privateIp.replace(/\./g, "-")}.${region}.compute.internal`,
    dnsName: i.publicIp ? `ec2-${i.publicIp.replace(/\./g, "-")}.${region}.compute.amazonaws.com` : "",
    reason: "",
    amiLaunchIndex: 0,
    instanceType: i.instanceType,
    launchTime: i.launchTime,
    placement: { availabilityZone: i.availabilityZone, groupName: "", tenancy: "default" },
    monitoring: { state: "disabled" },
    subnetId: `subnet-${hexId(`${region}|a`, 17)}`,
    vpcId: vpcIdFor(region),
    privateIpAddress: i.privateIp,
    ipAddress: i.publicIp,
    architecture: "x86_64",
    rootDeviceType: "ebs",
    rootDeviceName: "/dev/xvda",
    virtualizationType: "hvm",
    hypervisor: "xen",
    tagSet: [...i.tags].map(([key, value]) => ({ key, value })),
  };
}

export const describeInstances: Handler = (rt, p) => {
  const base = requestedInstances(rt.world, p) ?? [...rt.world.instances.values()];
  const found = applyFilters(base, readFilters(p), instanceFields);
  return {
    reservationSet: found.map((i) => ({
      reservationId: i.reservationId,
      ownerId: ACCOUNT_ID,
      groupSet: [],
      instancesSet: [renderInstance(i)],
    })),
  };
};

const DETAIL_STATUS: Record<StatusValue, string> = {
  ok: "passed",
  impaired: "failed",
  initializing: "initializing",
  "insufficient-data": "insufficient-data",
  "not-applicable": "not-applicable",
};

function summary(status: StatusValue): XmlValue {
  if (status === "not-applicable") return { status };
  return { status, details: [{ name: "reachability", status: DETAIL_STATUS[status] }] };
}

const statusFields = (i: Instance, name: string): string[] | undefined => {
  const running = i.state === "running";
  switch (name) {
    case "instance-status.status":
      return [running ? i.instanceStatus : "not-applicable"];
    case "system-status.status":
      return [running ? i.systemStatus : "not-applicable"];
    case "instance-status.reachability":
      return [running ? DETAIL_STATUS[i.instanceStatus] : "not-applicable"];
    case "system-status.reachability":
      return [running ? DETAIL_STATUS[i.systemStatus] : "not-applicable"];
    default:
      return instanceFields(i, name);
  }
};

export const describeInstanceStatus: Handler = (rt, p) => {
  const includeAll = bool(p, "IncludeAllInstances") ?? false;
  const base = requestedInstances(rt.world, p) ?? [...rt.world.instances.values()];
  const visible = includeAll ? base : base.filter((i) => i.state === "running");
  const found = applyFilters(visible, readFilters(p), statusFields);
  return {
    instanceStatusSet: found.map((i) => {
      const running = i.state === "running";
      return {
        instanceId: i.id,
        availabilityZone: i.availabilityZone,
        instanceState: { code: INSTANCE_STATE_CODES[i.state], name: i.state },
        instanceStatus: summary(running ? i.instanceStatus : "not-applicable"),
        systemStatus: summary(running ? i.systemStatus : "not-applicable"),
      };
    }),
  };
};
