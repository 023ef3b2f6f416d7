// Sample Telegram bot used by the sandbox and the end-to-end tests: a webhook server, or a poller
// (BOT_MODE=polling, or a polling-* variant). BOT_VARIANT picks a healthy release (v1, v2, v3,
// polling-v1, polling-v2) or one of the failures a release must survive.
import { type BotConfig, readBotConfig } from "./config.js";
import { crashOnBoot } from "./crash-on-boot.js";
import { logError, logInfo } from "./log.js";
import { startPoller } from "./poller.js";
import { createBotServer, echo, record } from "./server.js";
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
  if (config.variant === "crash-on-boot" || config.variant === "polling-crash-on-boot") {
    crashOnBoot();
    return;
  }
  if (config.mode === "polling") {
    runPolling(config);
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

  // docker stop sends SIGTERM: finish quickly and exit 0, like gunicorn's graceful shutdown. A
  // variant's shutdown hook (e.g. deleteWebhook) runs first, as a framework's on_shutdown would.
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logInfo(`received ${signal}, shutting down`);
    server.close();
    server.closeAllConnections();
    void behaviour.onShutdown().finally(() => process.exit(0));
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
}

/** Polling: the getUpdates loop, plus /health only when BOT_HEALTH_SERVER asks for it. */
function runPolling(config: BotConfig): void {
  let handled = 0;
  const poller = startPoller(config, (update) => {
    record(config, update.update_id);
    logInfo(`update ${update.update_id} received by polling`);
    void echo(config, update);
    // A poller that passes its gates and dies once it takes traffic, before confirming the batch:
    // Telegram hands those updates out again (at least once), so a rollback loses none.
    if (config.variant === "polling-crash-after-10" && ++handled >= 10) {
      logError("polling-crash-after-10: exiting with code 3 after 10 updates");
      process.exit(3);
    }
  });
  const server = config.healthServer ? createBotServer(config, variantBehaviour(config, Date.now())) : null;
  server?.listen(config.port, config.host, () => logInfo(`health on http://${config.host}:${config.port}/health`));
  // docker stop sends SIGTERM: stop polling, confirm what was handled, exit 0 (PTB's graceful stop).
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logInfo(`received ${signal}, stopping the poller`);
    server?.close();
    void poller.stop().finally(() => process.exit(0));
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
}

main();
