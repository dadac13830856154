import { ConfigError, loadConfig } from "./config.ts";
import { createLogger, errorFields } from "./observability/logger.ts";
import { startServer } from "./server.ts";

let config;
try {
  config = loadConfig();
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  // Still one JSON line: log shippers parse stderr too. The message names each bad variable.
  createLogger().error("invalid configuration", { err: err.message });
  process.exit(2);
}

const log = createLogger(config.LOG_LEVEL);
// Bun would print these as multi-line traces: one JSON line instead. An uncaught exception leaves the
// process in an unknown state, so it still exits; a background task (a presence sweep, a
// fire-and-forget store write) that fails while an engine is away must not take the instance and
// every socket on it down: log it; requests already answer `unavailable` on their own.
process.on("uncaughtException", (err) => {
  log.error("uncaught exception", errorFields(err));
  process.exit(1);
});
process.on("unhandledRejection", (err) => log.error("background task failed", errorFields(err)));

const server = await startServer(config, log).catch((err) => {
  log.error("startup failed", errorFields(err));
  process.exit(1);
});

let stopping = false;
const shutdown = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  log.info("shutting down", { signal });
  // Bounded whatever the engines do: a hung store must not keep a stopped instance alive.
  const deadline = setTimeout(() => {
    log.error("shutdown timed out, exiting", { afterMs: config.SHUTDOWN_TIMEOUT_MS });
    process.exit(1);
  }, config.SHUTDOWN_TIMEOUT_MS);
  await server.stop().catch((err) => log.error("shutdown failed", errorFields(err)));
  clearTimeout(deadline);
  process.exit(0);
};
process.on("SIGINT", () => void shutdown("SIGINT"));
process.on("SIGTERM", () => void shutdown("SIGTERM"));
