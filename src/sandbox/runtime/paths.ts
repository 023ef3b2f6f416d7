// Where the sandbox keeps each host's containers, logs, pulled images and update records,
// and where the compiled scripts that run as separate processes live.
import { dirname, join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

export interface HostPaths {
  stateRoot: string;
  host: string;
  root: string;
  containers: string;
  logs: string;
  records: string;
  images: string;
  /** The engine's event log (`docker events`): one JSON object a line, appended by supervisors. */
  events: string;
}

export function registryFile(stateRoot: string): string {
  return join(stateRoot, "registry.json");
}

export function hostPaths(stateRoot: string, host: string): HostPaths {
  const root = join(stateRoot, "hosts", host);
  return {
    stateRoot,
    host,
    root,
    containers: join(root, "containers"),
    logs: join(root, "logs"),
    records: join(root, "records"),
    images: join(root, "images.json"),
    events: join(root, "events.ndjson"),
  };
}

export const containerFile = (p: HostPaths, name: string) => join(p.containers, `${name}.json`);
export const containerLogFile = (p: HostPaths, id: string) => join(p.logs, `${id}-json.log`);
export const supervisorLogFile = (p: HostPaths, id: string) => join(p.logs, `${id}-supervisor.log`);
export const recordFile = (p: HostPaths, name: string) => join(p.records, `${name}.ndjson`);

const here = dirname(fileURLToPath(import.meta.url));

/** Loaded from dist/ in production; from src/ under vitest, whose compiled twin is in dist/. */
export function compiledRuntimeDir(): string {
  const compiled = `${sep}dist${sep}src${sep}sandbox${sep}runtime`;
  return here.endsWith(compiled) ? here : resolve(here, "../../../dist/src/sandbox/runtime");
}

export const dockerCliScript = () => join(compiledRuntimeDir(), "docker-cli.js");
export const supervisorScript = () => join(compiledRuntimeDir(), "supervisor.js");
export const botEntryScript = () => resolve(compiledRuntimeDir(), "../../../examples/echo-bot/main.js");
