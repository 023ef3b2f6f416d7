// The composition root's ports for a command: the real adapters a config names (AWS, Telegram, and
// SSH or the sandbox's local transport with its docker stand-in). Only src/cli/ wires adapters and
// the sandbox to the orchestrator (docs/architecture.md); connectCtx receives what this builds.
import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { AwsMonitoring } from "../adapters/aws-cloudwatch.js";
import { AwsInstances, type InstanceSelector } from "../adapters/aws-ec2.js";
import { AwsLoadBalancer } from "../adapters/aws-elbv2.js";
import { LocalHostConnector } from "../adapters/local-host.js";
import { TelegramClient } from "../adapters/telegram.js";
import type { Config } from "../config/index.js";
import type { Ports } from "../orchestrator/connect.js";
import type { HostConnector, Instances } from "../ports.js";
import { sandboxPaths } from "../sandbox/paths.js";
import { sandboxDockerRunner } from "../sandbox/runtime/in-process.js";
import { takeEc2Early } from "./ec2-early.js";

/**
 * readOnly: a command that reads the world and takes no lock (`status`); its first reading of the
 * listener takes the default action the listener's lookup (by load balancer and port) just read.
 */
export async function realPorts(config: Config, configFile: string, opts: { readOnly?: boolean } = {}): Promise<Ports> {
  const ssh = config.hosts.ssh;
  let connector: HostConnector;
  if (ssh.transport === "local") {
    // The sandbox: commands run here, with the sandbox's docker stand-in first on PATH.
    // A caller that runs its own sandbox (tests, benchmarks) says where with BLUEGREEN_SANDBOX_STATE.
    const paths = sandboxPaths(dirname(dirname(resolve(configFile))));
    const own = process.env.BLUEGREEN_SANDBOX_STATE;
    // BLUEGREEN_SANDBOX_LATENCY_MS: the bench's simulated WAN round trip on every host command.
    const latencyMs = Number(process.env.BLUEGREEN_SANDBOX_LATENCY_MS ?? "0");
    connector = new LocalHostConnector({
      env:
        own !== undefined && own !== ""
          ? { BLUEGREEN_SANDBOX_STATE: own }
          : { PATH: `${paths.bin}:${process.env.PATH ?? ""}`, BLUEGREEN_SANDBOX_STATE: paths.runtime },
      hostEnvVar: "BLUEGREEN_SANDBOX_HOST",
      ...(Number.isFinite(latencyMs) && latencyMs > 0 ? { latencyMs } : {}),
      // The docker stand-in in this process, not a Node process per command: on a real host docker
      // runs on another machine, so the stand-in's process start is the sandbox's cost, not the tool's.
      // A docker on PATH that is not the sandbox's shim (a fault test's wrapper) still runs as a process.
      inProcessDocker: sandboxDockerRunner(),
    });
  } else {
    const knownHostsText = ssh.knownHosts !== undefined ? await readFile(ssh.knownHosts, "utf8") : undefined;
    // Loaded only for SSH: node-ssh and ssh2 cost a sandbox (`transport: local`) run ~70 ms of CPU at startup.
    const { SshConnector } = await import("../adapters/ssh.js");
    connector = new SshConnector({
      user: ssh.user,
      port: ssh.port,
      ...(ssh.privateKey !== undefined ? { privateKeyPath: ssh.privateKey } : {}),
      ...(ssh.agent && process.env.SSH_AUTH_SOCK !== undefined ? { agent: process.env.SSH_AUTH_SOCK } : {}),
      ...(knownHostsText !== undefined ? { knownHostsText } : {}),
      ...(ssh.hostKeyFingerprint !== undefined ? { hostKeyFingerprint: ssh.hostKeyFingerprint } : {}),
      connectTimeoutMs: ssh.connectTimeout,
    });
  }
  const hosts = config.hosts;
  const staticHosts = hosts.static;
  const lb =
    config.loadBalancer === undefined ? null : new AwsLoadBalancer(config.aws, config.loadBalancer.listener, { reuseResolvedListener: opts.readOnly === true });
  // The EC2 client on the thread `status` started before its modules loaded, if it did (ec2-early.ts).
  const thread = takeEc2Early();
  let instances: Instances;
  if (staticHosts !== undefined) {
    thread?.close();
    instances = {
      list: async () => staticHosts.map((h) => ({ instanceId: h.instanceId, state: "running", privateIp: h.address, publicIp: h.address, status: "ok" })),
    };
  } else {
    const selector: InstanceSelector = hosts.ec2?.instanceIds !== undefined ? { instanceIds: hosts.ec2.instanceIds } : { tags: hosts.ec2?.tags ?? {} };
    const here = () => new AwsInstances(config.aws, selector);
    instances = thread !== undefined ? thread.instances(config.aws, selector, here) : here();
  }
  return {
    lb,
    instances,
    telegram: new TelegramClient({ apiBase: config.telegram.apiBase, token: config.telegram.botToken }),
    connector,
    monitoring: new AwsMonitoring(config.aws),
  };
}
