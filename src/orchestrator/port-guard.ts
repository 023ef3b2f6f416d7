// Exit codes match what moved. Every port call goes through a thin proxy that (1) counts the calls
// that change the listener, its tags, the target groups or the webhook, and (2) remembers which
// service a failed call went to. An error before the first change is then exit 1 with the cause and
// the remedy (nothing was touched), never exit 3 "the state may be inconsistent".
import { BluegreenError, PreflightError } from "../errors.js";
import { redact } from "../util/redact.js";
import type { Ctx } from "./context.js";

export interface PortActivity {
  /** Calls made that change the listener, its tags, a target group or the webhook. */
  changes: number;
}

export type Service = "AWS" | "Telegram" | "SSH";

/** The calls of each port that change something; everything else only reads. */
export const CHANGING_CALLS: Record<"lb" | "telegram", readonly string[]> = {
  lb: ["setForward", "setTags", "removeTags", "registerTargets"],
  telegram: ["setWebhook", "deleteWebhook"],
};

const failedCall = new WeakMap<object, { service: Service; call: string; target: string }>();

function mark(e: unknown, where: { service: Service; call: string; target: string }): void {
  if (typeof e === "object" && e !== null && !failedCall.has(e)) failedCall.set(e, where);
}

/** `port` with every method call counted (when changing) and its failures labelled with `service`. */
export function guardPort<T extends object>(port: T, service: Service, target: string, changing: readonly string[], activity: PortActivity): T {
  return new Proxy(port, {
    get(obj, prop, receiver) {
      const value: unknown = Reflect.get(obj, prop, receiver);
      if (typeof value !== "function") return value;
      const call = String(prop);
      return (...args: unknown[]): unknown => {
        if (changing.includes(call)) activity.changes += 1;
        const where = { service, call, target };
        let result: unknown;
        try {
          result = (value as (...a: unknown[]) => unknown).apply(obj, args);
        } catch (e) {
          mark(e, where);
          throw e;
        }
        if (result instanceof Promise) {
          return result.catch((e: unknown) => {
            mark(e, where);
            throw e;
          });
        }
        return result;
      };
    },
  });
}

const REMEDY: Record<Service, string> = {
  Telegram: "check that this machine reaches telegram.apiBase (and that the bot token is valid), then run the command again",
  AWS: "check the AWS region, endpoint and credentials and that this machine reaches AWS, then run the command again",
  SSH: "check that the host is up and that SSH reaches it (user, key, host key), then run the command again",
};

/**
 * An error raised before anything changed, as the operator should see it: a PreflightError (exit 1)
 * naming the service and the remedy. Our own errors, and anything after a change, pass unchanged.
 */
export function beforeAnyChange(ctx: Ctx, e: unknown): unknown {
  if (e instanceof BluegreenError) return e;
  if ((ctx.activity?.changes ?? 0) > 0) return e;
  const where = typeof e === "object" && e !== null ? failedCall.get(e) : undefined;
  const message = redact(e instanceof Error ? e.message : String(e));
  if (where === undefined) return new PreflightError(`${message}; nothing was changed`, "fix the cause above, then run the command again");
  const what = where.service === "SSH" ? `SSH to ${where.target} failed (${where.call})` : `${where.service} ${where.call} failed`;
  return new PreflightError(`${what}: ${message}; nothing was changed`, REMEDY[where.service]);
}

/** Runs `fn`, turning a failure before any change into exit 1 (see beforeAnyChange). */
export async function guardedRead<T>(ctx: Ctx, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw beforeAnyChange(ctx, e);
  }
}
