// The EC2 thread's side (aws-ec2-thread.ts starts it): loads @aws-sdk/client-ec2 as soon as the
// thread starts, on the machine's other core, while the CLI's main thread loads its own modules and
// the configuration; then lists the instances the main thread asks for with the same AwsInstances
// adapter a one-thread run uses, so the calls, retries and error texts are that adapter's.
import { parentPort } from "node:worker_threads";
import { AwsInstances } from "./aws-ec2.js";
import type { Ec2Reply, Ec2Request } from "./aws-ec2-thread.js";
import { loadEc2 } from "./aws-sdk.js";
import { CallCounter, type CallKind } from "./call-count.js";

const port = parentPort;
if (port === null) throw new Error("aws-ec2-worker.js runs only as a worker thread (see aws-ec2-thread.ts)");

/** Each AWS call this thread makes, relayed as it starts and ends: the CLI counts it in its own ledger. */
class RelayedCalls extends CallCounter {
  private next = 0;
  override async time<T>(kind: CallKind, key: string, run: () => Promise<T>): Promise<T> {
    this.next += 1;
    const id = this.next;
    port?.postMessage({ type: "call", id, kind, key } satisfies Ec2Reply);
    try {
      return await run();
    } finally {
      port?.postMessage({ type: "end", id } satisfies Ec2Reply);
    }
  }
}
const calls = new RelayedCalls();

// The point of the thread: the 2 MB bundle compiles (from the code cache) and runs here, now.
loadEc2();

port.on("message", (req: Ec2Request) => {
  new AwsInstances(req.aws, req.selector, { calls }).list({ statusChecks: req.statusChecks }).then(
    (instances) => port.postMessage({ type: "listed", id: req.id, instances } satisfies Ec2Reply),
    (e: unknown) => port.postMessage({ type: "failed", id: req.id, message: e instanceof Error ? e.message : String(e) } satisfies Ec2Reply),
  );
});
