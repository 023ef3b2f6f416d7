// Sample Telegram webhook bot used by the sandbox and the end-to-end tests.
// BOT_VARIANT picks a healthy release (v1, v2, v3) or one of the failures a release must survive.
import { readBotConfig } from "./config.js";
import { crashOnBoot } from "./crash-on-boot.js";
import { logError, logInfo } from "./log.js";
import { createBotServer } from "./server.js";
import { variantBehaviour, WRONG_PORT } from "./variants.js";

function main(): void {
  const startedAt = Date.now();
  let config: ReturnType<typeof readBotConfig>;
  try {
    config = readBotConfig(process.env);
  } catch (error) {
    logError((error as Error).message);
    process.exitCode = 2;
    return;
  }
  if (config.variant === "crash-on-boot") {
    crashOnBoot();
    return;
  }

  const behaviour = variantBehaviour(config, startedAt);
  const server = createBotServer(config, behaviour);
  server.on("error", (error) => {
    logError(`cannot listen on ${config.host}:${config.variant === "wrong-port" ? WRONG_PORT : config.port}: ${error.message}`);
    process.exit(1);
  });
  const port = config.variant === "wrong-port" ? WRONG_PORT : config.port;
  server.listen(port, config.host, () => {
    logInfo(`echo-bot ${config.variant} listening on http://${config.host}:${port} (pid ${process.pid})`);
    behaviour.onListening();
  });

  // docker stop sends SIGTERM: finish quickly and exit 0, like gunicorn's graceful shutdown.
  const shutdown = (signal: string) => {
    logInfo(`received ${signal}, shutting down`);
    server.close();
    server.closeAllConnections();
    process.exit(0);
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
}

main();
