// The AWS emulator of the bluegreen sandbox: ELBv2 + EC2 over the Query protocol and CloudWatch over
// JSON 1.0, with real HTTP health checks and a real HTTP data plane per listener (whose requests
// become the ALB's CloudWatch metrics).
import type { AddressInfo } from "node:net";
import { AwsControl } from "./control.js";
import { Runtime } from "./runtime.js";
import { createApiServer } from "./server.js";

export { type AlarmView, AwsControl } from "./control.js";
export type { InstancePatch, NewInstance, SeedSpec } from "./control-schemas.js";
export { ControlError } from "./control-schemas.js";
export type { FaultSpec } from "./faults.js";
export type { CallRecord } from "./runtime.js";
export type { SeedResult } from "./seed.js";
export type { StateDump } from "./state-dump.js";

export interface AwsEmulatorOptions {
  port?: number;
  host?: string;
  /** Multiplies health-check intervals/timeouts and the deregistration delay (1 = real time). */
  timeScale?: number;
  /** ALB listener port -> local data-plane port (unmapped listeners get an ephemeral port). */
  listenerPorts?: Record<number, number>;
  region?: string;
}

export interface AwsEmulator {
  endpoint: string;
  port: number;
  stop(): Promise<void>;
  control: AwsControl;
}

export async function startAwsEmulator(opts: AwsEmulatorOptions = {}): Promise<AwsEmulator> {
  const host = opts.host ?? "127.0.0.1";
  const rt = new Runtime({
    region: opts.region ?? "ap-southeast-2",
    timeScale: opts.timeScale ?? 1,
    host,
    listenerPorts: opts.listenerPorts ?? {},
  });
  const control = new AwsControl(rt);
  const server = createApiServer(rt, control);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await rt.stop();
    })();
    return stopped;
  };
  return { endpoint: `http://${host}:${port}`, port, stop, control };
}
