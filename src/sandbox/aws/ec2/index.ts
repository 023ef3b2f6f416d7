// The EC2 actions the emulator answers, by Action name.
import type { Handler } from "../runtime.js";
import { describeInstanceStatus, describeInstances } from "./instances.js";

export const EC2_VERSION = "2016-11-15";

export const ec2Handlers: Record<string, Handler> = {
  DescribeInstances: describeInstances,
  DescribeInstanceStatus: describeInstanceStatus,
};
