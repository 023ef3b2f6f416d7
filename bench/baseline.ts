// The deploy bluegreen replaces: stop the live container, start the new image in its place, on
// every host in turn, while the same 50 updates/s stream flows. Uses the sandbox docker shim
// directly with the same argv shape the CLI uses.
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { drain, startStream, stopStream, type WindowStats, windowStats } from "./traffic.js";
import type { BenchWorld } from "./world.js";

const run = promisify(execFile);

async function dockerOn(w: BenchWorld, host: string, args: string[]): Promise<void> {
  await run("docker", args, { env: { ...w.env, BLUEGREEN_SANDBOX_STATE: w.cliRuntimeDir, BLUEGREEN_SANDBOX_HOST: host }, timeout: 30_000 });
}

async function waitHealthy(url: string, deadlineMs: number): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (Date.now() < end) {
    try {
      if ((await fetch(url, { signal: AbortSignal.timeout(500) })).status === 200) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${url} not healthy within ${deadlineMs} ms`);
}

export interface BaselineRun extends WindowStats {
  image: string;
  deployMs: number;
}

export async function runBaseline(w: BenchWorld, images: string[], rate: number, log: (s: string) => void): Promise<BaselineRun[]> {
  const first = await w.cli(["release", "bench", "--image", "v1", "--json"]);
  if (first.code !== 0) throw new Error(`baseline initial release failed: ${JSON.stringify(first.result)}`);
  const live = String(first.result?.colour ?? "blue");
  const port = live === "blue" ? 5001 : 5002;
  const name = `echo-bot-${live}`;
  const envFile = join(w.envFileDir, "bench", `${name}.env`);
  const stream = await startStream(w, rate);
  const out: BaselineRun[] = [];
  try {
    await new Promise((r) => setTimeout(r, 1000));
    for (const image of images) {
      const from = Date.now();
      for (const host of w.world.hostIps) {
        await dockerOn(w, host, ["pull", `echo-bot:${image}`]);
        await dockerOn(w, host, ["stop", "--time", "2", name]);
        await dockerOn(w, host, ["rm", "--force", name]);
        await dockerOn(w, host, [
          "run",
          "--detach",
          "--name",
          name,
          "--env-file",
          envFile,
          "--publish",
          `${port}:5000`,
          "--memory",
          `${256 * 2 ** 20}b`,
          "--restart",
          "unless-stopped",
          `echo-bot:${image}`,
        ]);
        await waitHealthy(`http://${host}:${port}/health`, 15_000);
      }
      const deployMs = Date.now() - from;
      await new Promise((r) => setTimeout(r, 3000)); // let the ALB health check see the new bots
      out.push({ image, deployMs, from, to: Date.now() } as unknown as BaselineRun);
      log(`  restart deploy ${image}: ${deployMs} ms`);
    }
  } finally {
    await stopStream(w, stream);
  }
  await drain(w);
  const final: BaselineRun[] = [];
  for (const r of out) {
    const x = r as unknown as { image: string; deployMs: number; from: number; to: number };
    final.push({ image: x.image, deployMs: x.deployMs, ...(await windowStats(w, x.from, x.to)) });
  }
  return final;
}
