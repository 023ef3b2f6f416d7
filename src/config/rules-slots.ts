// Cross-field rules about where the two colours live: target groups, host ports, hosts and how SSH
// reaches them. Each returns findings; none throws.
import type { Finding } from "./schema-issues.js";
import type { Config } from "./types.js";
import { isLoopbackUrl } from "./urls.js";

/** "arn:...:targetgroup/bot-blue/0123" -> "bot-blue"; names stay as they are. */
function targetGroupName(targetGroup: string): string {
  return targetGroup.startsWith("arn:") ? (targetGroup.split("/")[1] ?? targetGroup) : targetGroup;
}

export function colourRules(config: Config): Finding[] {
  const findings: Finding[] = [];
  if (config.colours === undefined) return findings;
  const { blue, green } = config.colours;
  if (blue.targetGroup !== undefined && green.targetGroup !== undefined && targetGroupName(blue.targetGroup) === targetGroupName(green.targetGroup))
    findings.push({
      path: ["colours", "green", "targetGroup"],
      message: `both colours use target group ${targetGroupName(green.targetGroup)}; give each colour its own target group`,
    });
  if (blue.hostPort === green.hostPort)
    findings.push({
      path: ["colours", "green", "hostPort"],
      message: `both colours use host port ${green.hostPort}; give each colour its own host port`,
    });
  const ssh = config.hosts.ssh;
  for (const colour of ["blue", "green"] as const) {
    if (ssh.transport === "ssh" && { blue, green }[colour].hostPort === ssh.port)
      findings.push({
        path: ["colours", colour, "hostPort"],
        message: `${ssh.port} is the SSH port (hosts.ssh.port); pick another host port`,
      });
  }
  const rules = config.loadBalancer?.colourRules;
  if (rules !== undefined && rules.blue === rules.green)
    findings.push({
      path: ["loadBalancer", "colourRules", "green"],
      message: "both colours use the same listener rule; give each colour its own rule",
    });
  return findings;
}

/** ARNs carry a region: one from another region than aws.region can never be found. */
export function regionRules(config: Config): Finding[] {
  const arns: { path: (string | number)[]; arn: string }[] = [];
  const listener = config.loadBalancer?.listener;
  if (typeof listener === "string") arns.push({ path: ["loadBalancer", "listener"], arn: listener });
  for (const colour of ["blue", "green"] as const) {
    const rule = config.loadBalancer?.colourRules?.[colour];
    if (rule !== undefined) arns.push({ path: ["loadBalancer", "colourRules", colour], arn: rule });
    const targetGroup = config.colours?.[colour].targetGroup;
    if (targetGroup?.startsWith("arn:") === true) arns.push({ path: ["colours", colour, "targetGroup"], arn: targetGroup });
  }
  return arns.flatMap(({ path, arn }) => {
    const region = arn.split(":")[3];
    return region === config.aws.region ? [] : [{ path, message: `the ARN is in ${region} but aws.region is ${config.aws.region}; use the same region` }];
  });
}

export function hostRules(config: Config): Finding[] {
  const findings: Finding[] = [];
  const { ec2, static: fixed } = config.hosts;
  if (ec2 !== undefined && fixed !== undefined) findings.push({ path: ["hosts", "static"], message: "give either hosts.ec2 or hosts.static, not both" });
  if (ec2 === undefined && fixed === undefined)
    findings.push({
      path: ["hosts"],
      message: "needs ec2 (find instances by tags or instance ids) or static (a fixed list of hosts)",
    });
  if (ec2 !== undefined) {
    const { tags, instanceIds } = ec2;
    if (tags !== undefined && instanceIds !== undefined)
      findings.push({ path: ["hosts", "ec2", "instanceIds"], message: "give either tags or instanceIds, not both" });
    if (tags === undefined && instanceIds === undefined)
      findings.push({ path: ["hosts", "ec2"], message: "needs tags (e.g. { app: crypto-assistant }) or instanceIds" });
    if (tags !== undefined && Object.keys(tags).length === 0)
      findings.push({ path: ["hosts", "ec2", "tags"], message: "needs at least one tag, or every instance in the region would match" });
    if (instanceIds !== undefined && instanceIds.length === 0)
      findings.push({ path: ["hosts", "ec2", "instanceIds"], message: "needs at least one instance id" });
    findings.push(...duplicates(instanceIds ?? [], (index) => ["hosts", "ec2", "instanceIds", index]));
  }
  if (fixed !== undefined) {
    if (fixed.length === 0) findings.push({ path: ["hosts", "static"], message: "needs at least one host" });
    findings.push(
      ...duplicates(
        fixed.map((host) => host.address),
        (index) => ["hosts", "static", index, "address"],
      ),
    );
    findings.push(
      ...duplicates(
        fixed.map((host) => host.instanceId),
        (index) => ["hosts", "static", index, "instanceId"],
      ),
    );
  }
  return findings;
}

function duplicates(values: string[], pathOf: (index: number) => (string | number)[]): Finding[] {
  return values.flatMap((value, index) => (values.indexOf(value) < index ? [{ path: pathOf(index), message: `${value} is listed twice` }] : []));
}

export function sshRules(config: Config, unresolved: ReadonlySet<string>): Finding[] {
  const ssh = config.hosts.ssh;
  if (ssh.transport === "local") {
    const sandbox = config.aws.endpoint !== undefined && isLoopbackUrl(config.aws.endpoint) && isLoopbackUrl(config.telegram.apiBase);
    return sandbox
      ? []
      : [
          {
            path: ["hosts", "ssh", "transport"],
            message:
              "local runs every host command on this machine and is only for the sandbox: it needs aws.endpoint and telegram.apiBase on a loopback address (127.0.0.1)",
          },
        ];
  }
  const findings: Finding[] = [];
  if (ssh.knownHosts === undefined && ssh.hostKeyFingerprint === undefined)
    findings.push({
      path: ["hosts", "ssh"],
      message: "needs knownHosts (a known_hosts file) or hostKeyFingerprint (SHA256:...) so the bot's secrets only go to the real hosts",
    });
  if (ssh.knownHosts !== undefined && ssh.hostKeyFingerprint !== undefined)
    findings.push({ path: ["hosts", "ssh", "hostKeyFingerprint"], message: "give either knownHosts or hostKeyFingerprint, not both" });
  if (ssh.privateKey === undefined && !ssh.agent && !unresolved.has("hosts.ssh.privateKey"))
    findings.push({
      path: ["hosts", "ssh"],
      message: "needs privateKey (a key file, or ${env:NAME} holding its path) or agent: true",
    });
  return findings;
}
