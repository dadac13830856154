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
// Bun would print these as multi-line traces; crash as before, but with one JSON line.
process.on("uncaughtException", (err) => {
  log.error("uncaught exception", errorFields(err));
  process.exit(1);
});
process.on("unhandledRejection", (err) => {
  log.error("unhandled rejection", errorFields(err));
  process.exit(1);
});

const server = await startServer(config, log).catch((err) => {
  log.error("startup failed", errorFields(err));
  process.exit(1);
});

let stopping = false;
const shutdown = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  log.info("shutting down", { signal });
  await server.stop();
  process.exit(0);
};
process.on("SIGINT", () => void shutdown("SIGINT"));
process.on("SIGTERM", () => void shutdown("SIGTERM"));
