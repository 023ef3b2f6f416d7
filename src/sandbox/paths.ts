// Where the sandbox keeps its state: a project-local folder, so no root and no global state.
import { join } from "node:path";

export const SANDBOX_PORTS = { aws: 4566, telegram: 8081, alb: 8080 } as const;
/** Fixed fake secrets of the sandbox bot: recognisable, and useless anywhere else. */
export const SANDBOX_BOT_TOKEN = "7000000001:TEST-sandbox-bot-token-aaaaaaaaaaaaaaa";
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
