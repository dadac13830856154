import { ConfigError, loadConfig } from "./config.ts";
import { createLogger, errorFields } from "./observability/logger.ts";
import { startServer } from "./server.ts";

let config;
try {
  config = loadConfig();
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  console.error(err.message);
  process.exit(2);
}

const log = createLogger(config.LOG_LEVEL);
// A background task (a presence sweep, a fire-and-forget store write) that fails while an engine is
// away must not take the instance and every socket on it down: log it; requests already answer
// `unavailable` on their own.
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
