/**
 * Redis clients for one process: a command client shared by every Redis-backed adapter (and the
 * Kafka pipeline's seq counters, idempotency keys, recent-message cache and parking lot) and a
 * dedicated subscriber. Both reconnect by themselves with capped backoff; node-redis re-subscribes
 * the subscriber's channels after a reconnect.
 */
import { createClient } from "redis";
import { errorFields, type Logger } from "../../observability/logger.ts";
import type { EngineHealth } from "../../ports/index.ts";
import { backoffMs } from "../../domain/backoff.ts";

/**
 * `timeout` bounds each command, also while it waits in the offline queue during a reconnect: a
 * stopped or hung Redis yields errors, not waits without end. The subscriber has none (it only
 * waits for messages).
 */
const newClient = (url: string, timeoutMs?: number) =>
  createClient({
    url,
    socket: { reconnectStrategy: (retries) => backoffMs(retries, { firstMs: 50, maxMs: 2000 }), connectTimeout: 5000 },
    ...(timeoutMs ? { commandOptions: { timeout: timeoutMs } } : {}),
  });
export type RedisClient = ReturnType<typeof newClient>;

export interface RedisConnection {
  cmd: RedisClient;
  sub: RedisClient;
  health(): Promise<EngineHealth>;
  close(): Promise<void>;
}

export async function connectRedis(url: string, log: Logger, timeoutMs = 5000): Promise<RedisConnection> {
  const make = (role: string) => {
    const client = newClient(url, role === "command" ? timeoutMs : undefined);
    let lastLogged = 0;
    // Errors surface here while reconnecting; log them at most once a few seconds, never throw.
    client.on("error", (err) => {
      if (Date.now() - lastLogged < 5000) return;
      lastLogged = Date.now();
      log.warn("redis error", { role, ...errorFields(err) });
    });
    client.on("ready", () => log.info("redis ready", { role }));
    return client;
  };
  const cmd = make("command");
  const sub = make("subscriber");
  await Promise.all([cmd.connect(), sub.connect()]);
  return {
    cmd,
    sub,
    async health() {
      const started = performance.now();
      try {
        await cmd.ping();
        return { name: "redis", ok: true, pingMs: Math.round(performance.now() - started) };
      } catch (err) {
        return { name: "redis", ok: false, detail: err instanceof Error ? err.message : String(err) };
      }
    },
    async close() {
      await Promise.allSettled([cmd.quit(), sub.quit()]);
    },
  };
}
