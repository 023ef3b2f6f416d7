// Where traffic really goes in an e2e world, read from the emulators (never through the CLI under
// test), and what really runs on a host, read from its Docker engine.
import { expect } from "vitest";
import type { E2eHost } from "./e2e-hosts.js";
import type { E2eWorld } from "./e2e-world.js";
import { BOT_TOKEN } from "./sandbox-env.js";

export type Colour = "blue" | "green";

export function listenerForward(w: E2eWorld): Colour | null {
  const s = w.sandbox.aws.control.state();
  const action = s.listeners.find((l) => l.arn === w.sandbox.listenerArn)?.defaultActions[0];
  if (action === undefined || action.type !== "forward") return null;
  const live = action.targetGroups.filter((g) => g.weight > 0).map((g) => s.targetGroups.find((t) => t.arn === g.targetGroupArn)?.name);
  if (live.length !== 1) return null;
  return live[0] === "bot-blue" ? "blue" : live[0] === "bot-green" ? "green" : null;
}

export async function webhookUrl(w: E2eWorld): Promise<string> {
  const res = await fetch(`${w.sandbox.telegram.url}/bot${BOT_TOKEN}/getWebhookInfo`);
  return ((await res.json()) as { result: { url: string } }).result.url;
}

export const webhookUrlOf = (w: E2eWorld, c: Colour): string => `http://127.0.0.1:${w.sandbox.albPort}/telegram/${c}`;

export async function expectLive(w: E2eWorld, c: Colour): Promise<void> {
  expect(listenerForward(w)).toBe(c);
  expect(await webhookUrl(w)).toBe(webhookUrlOf(w, c));
}

export interface EngineContainer {
  name: string;
  running: boolean;
  status: string;
  oomKilled: boolean;
  exitCode: number;
  image: string;
  variant: string | undefined;
}

/** A container as the host's real engine reports it (docker inspect), or undefined when it does not exist. */
export function engineContainer(h: E2eHost, name: string): EngineContainer | undefined {
  const ids = h.docker(["ps", "-aq", "--filter", `name=^/${name}$`]).trim();
  if (ids === "") return undefined;
  const [c] = JSON.parse(h.docker(["inspect", "--type", "container", name])) as {
    Name: string;
    Config: { Image: string; Env: string[] };
    State: { Running: boolean; Status: string; OOMKilled: boolean; ExitCode: number };
  }[];
  if (c === undefined) return undefined;
  return {
    name: c.Name.replace(/^\//, ""),
    running: c.State.Running,
    status: c.State.Status,
    oomKilled: c.State.OOMKilled,
    exitCode: c.State.ExitCode,
    image: c.Config.Image,
    variant: c.Config.Env.find((e) => e.startsWith("BOT_VARIANT="))?.slice("BOT_VARIANT=".length),
  };
}

/** GET /health on a host's published port, from the test process (through the bridge). */
export async function versionOn(h: E2eHost, port: number): Promise<string> {
  const res = await fetch(`http://${h.address}:${port}/health`, { signal: AbortSignal.timeout(5_000) });
  return ((await res.json()) as { version: string }).version;
}
