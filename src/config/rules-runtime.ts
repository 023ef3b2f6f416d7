// Rules about timing, memory and the container's variables.
import { formatDuration } from "../util/duration.js";
import { formatSize } from "../util/size.js";
import type { Finding } from "./schema-issues.js";
import type { Config } from "./types.js";

export function gateRules(config: Config): Finding[] {
  const findings: Finding[] = [];
  const { interval, healthyThreshold, timeout, bake, maxMemory } = config.gates;
  if (bake < interval)
    findings.push({
      path: ["gates", "bake"],
      message: `${formatDuration(bake)} is shorter than gates.interval (${formatDuration(interval)}); the bake must last at least one check`,
    });
  const needed = interval * healthyThreshold;
  if (timeout < needed)
    findings.push({
      path: ["gates", "timeout"],
      message: `${formatDuration(timeout)} is too short for ${healthyThreshold} healthy checks ${formatDuration(interval)} apart (${formatDuration(needed)}); raise gates.timeout or lower gates.healthyThreshold`,
    });
  const limit = config.container.memoryLimit;
  if (maxMemory > limit)
    findings.push({
      path: ["gates", "maxMemory"],
      message: `${formatSize(maxMemory)} is above container.memoryLimit (${formatSize(limit)}); docker kills the container at its limit, so this gate could never trip`,
    });
  return findings;
}

const SECRET_LIKE_NAME = /(?:^|_)(?:TOKEN|SECRET|PASSWORD|PASSWD|API_KEY|PRIVATE_KEY)$/i;

export function containerEnvRules(config: Config): Finding[] {
  const findings: Finding[] = [];
  const { env, secrets } = config.container;
  for (const name of Object.keys(secrets)) {
    if (name in env) findings.push({ path: ["container", "secrets", name], message: `${name} is also in container.env; keep it in one of them` });
  }
  // Docker's env file is one KEY=VALUE per line: a newline would inject a variable, NUL cuts it short.
  // Caught here, before a release takes the lock and writes tags (#18 case 8).
  for (const [where, values] of [
    ["env", env],
    ["secrets", secrets],
  ] as const) {
    for (const [name, value] of Object.entries(values)) {
      if (/[\r\n\0]/.test(value))
        findings.push({
          path: ["container", where, name],
          message: "contains a newline or NUL, which docker's env file cannot carry; remove it (encode multi-line values, e.g. base64)",
        });
    }
  }
  for (const name of Object.keys(env)) {
    if (SECRET_LIKE_NAME.test(name) && !(name in secrets))
      findings.push({
        path: ["container", "env", name],
        message: `looks like a secret; move it to container.secrets as ${name}: \${env:${name}}`,
      });
  }
  return findings;
}

export function environmentNameRule(config: Config, expectedName: string | undefined, fileName: string): Finding[] {
  if (expectedName === undefined || config.environment === expectedName) return [];
  return [
    {
      path: ["environment"],
      message: `says ${config.environment} but the file is ${fileName}; make them match so a release goes where its name says`,
    },
  ];
}

/** Over SSH a relative path would depend on the login's folder; only the sandbox may use one. */
export function hostPathRules(config: Config): Finding[] {
  if (config.hosts.ssh.transport !== "ssh") return [];
  const paths: [string[], string][] = [
    [["container", "envFileDir"], config.container.envFileDir],
    [["lock", "dir"], config.lock.dir],
  ];
  return paths.flatMap(([path, value]) =>
    value.startsWith("/")
      ? []
      : [{ path, message: "must be an absolute path on the host (starting with /); a relative path would depend on the SSH login's folder" }],
  );
}
