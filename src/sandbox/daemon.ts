// `bluegreen sandbox up` runs this in the background: the sandbox world on its fixed ports until
// SIGTERM, then every bot process it started is stopped too.
import { writeFile } from "node:fs/promises";
import { SANDBOX_PORTS } from "./paths.js";
import { startSandboxWorld } from "./world.js";

const root = process.argv[2];
if (root === undefined) {
  process.stderr.write("usage: daemon.js <sandbox root>\n");
  process.exit(64);
}
const legacy = process.env.BLUEGREEN_SANDBOX_LEGACY === "legacy-group" ? ({ legacy: "legacy-group" } as const) : {};
const world = await startSandboxWorld({ root, ports: { ...SANDBOX_PORTS }, hosts: Number(process.env.BLUEGREEN_SANDBOX_HOSTS ?? "2"), ...legacy });
await writeFile(
  `${root}/sandbox.json`,
  JSON.stringify(
    {
      pid: process.pid,
      aws: world.aws.endpoint,
      telegram: world.telegram.url,
      alb: `http://127.0.0.1:${world.albPort}`,
      hosts: world.hostIps,
      // `sandbox up --legacy` on a running sandbox compares with this (a plain one is not legacy).
      legacy: "legacy" in legacy,
      startedAt: new Date().toISOString(),
    },
    null,
    2,
  ),
);
process.stdout.write("ready\n");
const stop = async () => {
  await world.stop();
  process.exit(0);
};
process.on("SIGTERM", () => void stop());
process.on("SIGINT", () => void stop());
