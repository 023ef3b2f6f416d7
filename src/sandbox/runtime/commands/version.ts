// docker version / docker --version.
import { lastValue, parseArgs } from "../args.js";
import { type CliContext, SANDBOX_DOCKER_VERSION } from "../context.js";
import { renderTemplate } from "../template.js";

function versionInfo() {
  const side = { Version: SANDBOX_DOCKER_VERSION, ApiVersion: "1.50", GoVersion: "go1.24.3", Os: "linux", Arch: "amd64" };
  return {
    Client: { ...side, Platform: { Name: "bluegreen sandbox" } },
    Server: { ...side, MinAPIVersion: "1.24", Platform: { Name: "bluegreen sandbox runtime" } },
  };
}

export function versionCommand(ctx: CliContext | null, argv: string[], out: (text: string) => void): number {
  const args = parseArgs("version", argv, [{ long: "format", short: "f", kind: "value" }]);
  const info = versionInfo();
  const format = lastValue(args, "format");
  if (format !== undefined) {
    out(`${renderTemplate(format, info)}\n`);
    return 0;
  }
  const block = (title: string, v: Record<string, unknown>) =>
    `${title}\n${Object.entries(v)
      .filter(([, value]) => typeof value === "string")
      .map(([k, value]) => ` ${`${k}:`.padEnd(15)}${String(value)}`)
      .join("\n")}\n`;
  out(`${block("Client:", info.Client)}\n${block(`Server: ${ctx ? `sandbox host ${ctx.host}` : "bluegreen sandbox"}`, info.Server)}`);
  return 0;
}

export const versionLine = () => `Docker version ${SANDBOX_DOCKER_VERSION}, build bluegreen-sandbox\n`;
