// Runnable emulator: `node dist/src/sandbox/aws/server-main.js --port N --time-scale X
// --listener-port 80=18080 [--host H] [--region R]`. Prints one JSON line when listening and
// stops cleanly (data-plane ports, health checkers) on SIGTERM / SIGINT.
import { startAwsEmulator } from "./index.js";

function parseArgs(argv: string[]): { port: number; host: string; timeScale: number; region: string; listenerPorts: Record<number, number> } {
  const out = { port: 0, host: "127.0.0.1", timeScale: 1, region: "ap-southeast-2", listenerPorts: {} as Record<number, number> };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    i++;
    if (flag === "--port") out.port = Number(value);
    else if (flag === "--host") out.host = value;
    else if (flag === "--time-scale") out.timeScale = Number(value);
    else if (flag === "--region") out.region = value;
    else if (flag === "--listener-port") {
      const m = /^(\d+)=(\d+)$/.exec(value);
      if (!m) throw new Error(`--listener-port expects ALB_PORT=LOCAL_PORT, got '${value}'`);
      out.listenerPorts[Number(m[1])] = Number(m[2]);
    } else throw new Error(`unknown option ${flag}`);
  }
  if (!Number.isInteger(out.port) || out.port < 0 || out.port > 65535) throw new Error("--port must be 0..65535");
  if (!(out.timeScale > 0)) throw new Error("--time-scale must be a positive number");
  return out;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const emulator = await startAwsEmulator(args);
  process.stdout.write(`${JSON.stringify({ endpoint: emulator.endpoint, port: emulator.port })}\n`);
  const shutdown = () => {
    emulator.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGTERM", shutdown);
  process.once("SIGINT", shutdown);
}

main().catch((err: unknown) => {
  process.stderr.write(`aws emulator: ${(err as Error).message}\n`);
  process.exit(2);
});
