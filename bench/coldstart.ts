// Cold starts: a fresh `node dist/src/cli/main.js` per run, timed from spawn to exit.
import { spawn } from "node:child_process";
import { type BenchWorld, CLI } from "./world.js";

function once(args: string[], env: NodeJS.ProcessEnv): Promise<{ ms: number; code: number }> {
  return new Promise((res) => {
    const t = performance.now();
    const child = spawn(process.execPath, [CLI, ...args], { env, stdio: "ignore" });
    const kill = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.on("close", (code) => {
      clearTimeout(kill);
      res({ ms: performance.now() - t, code: code ?? -1 });
    });
  });
}

export async function coldStarts(w: BenchWorld, runs: number): Promise<{ help: number[]; status: number[]; statusExit: number }> {
  const help: number[] = [];
  const status: number[] = [];
  let statusExit = 0;
  for (let i = 0; i < runs; i++) help.push((await once(["--help"], w.env)).ms);
  for (let i = 0; i < Math.min(runs, 3); i++) {
    const r = await once(["status", "bench", "--config-dir", w.dir], w.env);
    statusExit = r.code;
    status.push(r.ms);
  }
  return { help, status, statusExit };
}
