// A second environment in an e2e world, on hosts of its own: its own ALB + EC2 emulator and its own
// Telegram emulator and bot (promote refuses environments that share a listener, target group or
// bot), sharing the registry, the namespace hosts' network and the SSH key. For `promote`.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type SandboxWorld, startSandboxWorld } from "../../src/sandbox/world.js";
import { type E2eOptions, environmentYaml, forwarder, tolerantHealthChecks } from "./e2e-env-file.js";
import type { E2eWorld } from "./e2e-world.js";
import { WEBHOOK_SECRET } from "./sandbox-env.js";
import { SANDBOX_TIMING } from "./world-timing.js";

const REGION = "ap-southeast-1";

export interface ExtraEnvironment {
  name: string;
  sandbox: SandboxWorld;
  envFile: string;
  botToken: string;
  /** Bot API base as this environment's containers see it. */
  containerApiBase: string;
  webhookSecret: string;
}

export async function addEnvironment(
  w: E2eWorld,
  o: { name: string; onHosts: number[]; botToken: string; secretPrefix: string } & Omit<E2eOptions, "hosts" | "envHosts">,
): Promise<ExtraEnvironment> {
  const sandbox = await startSandboxWorld({
    root: join(w.dir, `sandbox-${o.name}`),
    hosts: 0,
    botToken: o.botToken,
    // Its own region: a second emulator seeded alike in the same region would give the same listener
    // and target group ARNs, and promote refuses environments that resolve to the same ones.
    awsRegion: REGION,
    ...SANDBOX_TIMING,
    ...(o.legacy !== undefined ? { legacy: o.legacy } : {}),
  });
  w.onStop(() => sandbox.stop());
  await tolerantHealthChecks(sandbox, REGION);
  const tag = `${o.name}-e2e-${w.net.slot.index}`;
  for (const h of w.net.hosts.filter((x) => o.onHosts.includes(x.index)))
    sandbox.aws.control.addInstance({ tags: { app: tag, Name: `${tag}-h${h.index}` }, privateIp: h.address });
  const fwd = await forwarder(w.net.gateway, Number(new URL(sandbox.telegram.url).port));
  w.onStop(() => fwd.close());
  const first = w.net.hosts[0];
  if (first === undefined) throw new Error("no hosts");
  const envFile = join(w.dir, "environments", `${o.name}.yaml`);
  const yaml = environmentYaml(
    {
      sandbox,
      registry: w.registry,
      knownHostsFile: w.knownHostsFile,
      containerApiBase: `http://${w.net.gateway}:${fwd.port}`,
      hostFs: w.net.hostFs,
      privateKey: first.sshd.privateKeyPath,
      tag,
      secretPrefix: o.secretPrefix,
    },
    { ...o, environment: o.name, region: REGION },
  );
  await writeFile(envFile, yaml);
  w.env[`${o.secretPrefix}_BOT_TOKEN`] = o.botToken;
  w.env[`${o.secretPrefix}_WEBHOOK_SECRET`] = `${WEBHOOK_SECRET}-${o.name}`;
  return {
    name: o.name,
    sandbox,
    envFile,
    botToken: o.botToken,
    containerApiBase: `http://${w.net.gateway}:${fwd.port}`,
    webhookSecret: `${WEBHOOK_SECRET}-${o.name}`,
  };
}
