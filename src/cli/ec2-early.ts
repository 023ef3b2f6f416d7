// The EC2 thread started before a command's modules load (aws-ec2-thread.ts), handed to the ports
// that command builds (real-ports.ts). Only `status` starts one: it lists the instances and little
// else, so the client's load on the other core is most of what it can gain (#17); a release loads
// the EC2 client on the main thread as before (its peak RSS is a target too).
import { availableParallelism } from "node:os";
import { Ec2Thread } from "../adapters/aws-ec2-thread.js";

let early: Ec2Thread | undefined;

/** Only with a second core: on one, the thread's own start (about 25 ms of CPU) and the SDK's shared packages loaded twice are pure cost. */
export function startEc2Early(cores = availableParallelism()): void {
  if (cores < 2) return;
  early ??= Ec2Thread.start();
}

/** The thread started early, once (the next caller gets none); undefined when none was started. */
export function takeEc2Early(): Ec2Thread | undefined {
  const t = early;
  early = undefined;
  return t;
}
