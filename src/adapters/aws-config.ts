// Client settings shared by the ELBv2 and EC2 adapters.
import { type CallCounter, processCalls } from "./call-count.js";

export interface AwsSettings {
  region: string;
  profile?: string | undefined;
  endpoint?: string | undefined;
}

export function clientConfig(aws: AwsSettings): Record<string, unknown> {
  const cfg: Record<string, unknown> = { region: aws.region, maxAttempts: 3 };
  if (aws.profile !== undefined) cfg.profile = aws.profile;
  if (aws.endpoint !== undefined) {
    cfg.endpoint = aws.endpoint;
    // An emulator accepts any signature; do not make the operator invent credentials for it.
    if (process.env.AWS_ACCESS_KEY_ID === undefined && aws.profile === undefined) {
      cfg.credentials = { accessKeyId: "sandbox", secretAccessKey: "sandbox" };
    }
  }
  return cfg;
}

/** The part of an SDK client's middleware stack we use (structural: both clients fit). */
interface MiddlewareHost {
  middlewareStack: {
    add(
      mw: (next: (args: never) => Promise<unknown>, context: { commandName?: string }) => (args: never) => Promise<unknown>,
      options: { step: "initialize"; name: string },
    ): void;
  };
}

/** Counts one call per operation sent (the SDK's own retries of it are not counted again). */
export function countAwsCalls(client: MiddlewareHost, calls: CallCounter = processCalls): void {
  client.middlewareStack.add((next, context) => (args) => calls.time("aws", context.commandName?.replace(/Command$/, "") ?? "unknown", () => next(args)), {
    step: "initialize",
    name: "bluegreenCallCount",
  });
}
