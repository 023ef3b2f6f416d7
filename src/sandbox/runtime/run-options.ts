// docker run's flags turned into a validated RunOptions. File reads and the caller's environment are
// passed in, so the rules are testable without a filesystem.
import { allValues, type FlagSpec, lastValue, parseArgs } from "./args.js";
import { withHelp } from "./cli-error.js";
import { NAME_PATTERN, type PortMapping } from "./container-record.js";
import { EnvFormatError, parseEnvFile, parseEnvFlag } from "./env-file.js";
import { parseRestartPolicy, type RestartPolicy, RestartPolicyError } from "./restart-policy.js";
import { parseRamInBytes, SizeFormatError } from "./units.js";

export interface RunOptions {
  image: string;
  name: string | undefined;
  labels: Record<string, string>;
  /** env-file entries first, then --env, in command-line order (later wins when merged). */
  env: string[];
  ports: PortMapping[];
  memoryBytes: number;
  restartPolicy: RestartPolicy;
  pull: "missing" | "always" | "never";
  logDriver: string;
  logOpts: Record<string, string>;
}

export const RUN_FLAGS: FlagSpec[] = [
  { long: "detach", short: "d", kind: "bool" },
  { long: "name", kind: "value" },
  { long: "label", short: "l", kind: "list" },
  { long: "env", short: "e", kind: "list" },
  { long: "env-file", kind: "list" },
  { long: "publish", short: "p", kind: "list" },
  { long: "memory", short: "m", kind: "value" },
  { long: "restart", kind: "value" },
  { long: "pull", kind: "value" },
  { long: "log-driver", kind: "value" },
  { long: "log-opt", kind: "list" },
  { long: "init", kind: "bool" },
];

const MIN_MEMORY = 6 * 1024 * 1024;

export function parsePublish(text: string): PortMapping {
  const [spec = "", protocol = "tcp"] = text.split("/");
  const parts = spec.split(":");
  const [hostText, containerText] = parts.length >= 2 ? parts.slice(-2) : [undefined, parts[0]];
  const port = (t: string | undefined) => (t !== undefined && /^\d+$/.test(t) && Number(t) >= 1 && Number(t) <= 65535 ? Number(t) : null);
  const containerPort = port(containerText);
  if (containerPort === null) throw withHelp("run", `invalid containerPort: ${containerText ?? ""}`);
  const hostPort = port(hostText);
  if (hostPort === null) {
    // Docker would pick an ephemeral port; the sandbox needs a fixed one to find the bot.
    throw withHelp("run", `sandbox runtime: --publish needs HOSTPORT:CONTAINERPORT, got "${text}"`);
  }
  if (protocol !== "tcp") throw withHelp("run", `sandbox runtime: only tcp ports are supported, got "${text}"`);
  return { hostPort, containerPort, protocol };
}

function keyValues(list: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of list) {
    const eq = item.indexOf("=");
    out[eq >= 0 ? item.slice(0, eq) : item] = eq >= 0 ? item.slice(eq + 1) : "";
  }
  return out;
}

export function parseRunArgs(argv: string[], lookupEnv: (key: string) => string | undefined, readTextFile: (path: string) => string): RunOptions {
  const args = parseArgs("run", argv, RUN_FLAGS, false);
  const [image, ...command] = args.positionals;
  if (image === undefined) throw withHelp("run", "'docker run' requires at least 1 argument");
  if (command.length > 0) throw withHelp("run", "sandbox runtime: overriding the image's command is not supported");
  if (!args.bools.has("detach")) throw withHelp("run", "sandbox runtime: only detached containers (--detach) are supported");

  const name = lastValue(args, "name");
  if (name !== undefined && !NAME_PATTERN.test(name)) {
    throw withHelp("run", `Error response from daemon: Invalid container name (${name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
  }
  const env: string[] = [];
  try {
    for (const path of allValues(args, "env-file")) {
      let text: string;
      try {
        text = readTextFile(path);
      } catch {
        throw withHelp("run", `open ${path}: no such file or directory`);
      }
      env.push(...parseEnvFile(text, lookupEnv));
    }
    for (const item of allValues(args, "env")) {
      const entry = parseEnvFlag(item, lookupEnv);
      if (entry !== null) env.push(entry);
    }
  } catch (error) {
    if (error instanceof EnvFormatError) throw withHelp("run", error.message);
    throw error;
  }

  let memoryBytes = 0;
  const memory = lastValue(args, "memory");
  if (memory !== undefined) {
    try {
      memoryBytes = parseRamInBytes(memory);
    } catch (error) {
      if (!(error instanceof SizeFormatError)) throw error;
      throw withHelp("run", `invalid argument "${memory}" for "-m, --memory" flag: ${error.message}`);
    }
    if (memoryBytes > 0 && memoryBytes < MIN_MEMORY) {
      throw withHelp("run", "Error response from daemon: Minimum memory limit allowed is 6MB");
    }
  }
  let restartPolicy: RestartPolicy = { Name: "no", MaximumRetryCount: 0 };
  const restart = lastValue(args, "restart");
  if (restart !== undefined) {
    try {
      restartPolicy = parseRestartPolicy(restart);
    } catch (error) {
      if (error instanceof RestartPolicyError) throw withHelp("run", `Error response from daemon: ${error.message}`);
      throw error;
    }
  }
  const pull = lastValue(args, "pull") ?? "missing";
  if (pull !== "missing" && pull !== "always" && pull !== "never") {
    throw withHelp("run", `invalid pull option: '${pull}': must be one of "always", "missing" or "never"`);
  }
  return {
    image,
    name,
    labels: keyValues(allValues(args, "label")),
    env,
    ports: allValues(args, "publish").map(parsePublish),
    memoryBytes,
    restartPolicy,
    pull,
    logDriver: lastValue(args, "log-driver") ?? "json-file",
    logOpts: keyValues(allValues(args, "log-opt")),
  };
}
