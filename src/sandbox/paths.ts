// Where the sandbox keeps its state: a project-local folder, so no root and no global state.
import { join } from "node:path";

/** canaryAlb: the data plane of local-canary's own load balancer (canary-alb). */
export const SANDBOX_PORTS = { aws: 4566, telegram: 8081, alb: 8080, canaryAlb: 8082 } as const;
/** Fixed fake secrets of the sandbox bot: recognisable, and useless anywhere else. */
export const SANDBOX_BOT_TOKEN = "7000000001:TEST-sandbox-bot-token-aaaaaaaaaaaaaaa";
/**
 * The other sandbox environments' own bots (local-polling, local-canary): environments that share
 * a bot take each other's webhook down (a polling release deletes it), so each has its own.
 */
export const SANDBOX_POLLING_BOT_TOKEN = "7100000002:TEST-sandbox-polling-bot-token-aaaaaaa";
export const SANDBOX_CANARY_BOT_TOKEN = "7100000003:TEST-sandbox-canary-bot-token-aaaaaaaa";
export const SANDBOX_WEBHOOK_SECRET = "TEST-sandbox-webhook-secret";

export function sandboxRoot(baseDir: string): string {
  return join(baseDir, ".bluegreen", "sandbox");
}

export function sandboxPaths(baseDir: string) {
  const root = sandboxRoot(baseDir);
  return {
    root,
    bin: join(root, "bin"),
    runtime: join(root, "runtime"),
    pidFile: join(root, "sandbox.pid"),
    stateFile: join(root, "sandbox.json"),
    log: join(root, "sandbox.log"),
  };
}
