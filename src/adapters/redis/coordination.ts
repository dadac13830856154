import type { Config } from "../../config.ts";
import type { Logger } from "../../observability/logger.ts";
import type { Lifecycle } from "../../ports/index.ts";
import { RedisClusterBus } from "./cluster-bus.ts";
import { connectRedis, type RedisConnection } from "./connection.ts";
import { RedisPresenceStore } from "./presence-store.ts";
import { RedisRateLimiter } from "./rate-limiter.ts";
import { RedisTicketStore } from "./ticket-store.ts";

/** Everything instances share through Redis, over one connection pair. */
export async function createRedisCoordination(config: Config & { REDIS_URL: string }, instanceId: string, log: Logger) {
  const redis: RedisConnection = await connectRedis(config.REDIS_URL, log, config.STORAGE_TIMEOUT_MS);
  const bus = new RedisClusterBus(redis, instanceId, log);
  const presence = new RedisPresenceStore(redis.cmd, instanceId, { ttlSec: config.PRESENCE_TTL_SEC }, log);
  const lifecycle: Lifecycle = {
    start: async () => {
      await bus.start();
      await presence.start();
    },
    close: async () => {
      await presence.close();
      await bus.close();
      await redis.close();
    },
    health: () => redis.health(),
  };
  return {
    redis,
    bus,
    presence,
    limiter: new RedisRateLimiter(redis.cmd),
    tickets: new RedisTicketStore(redis.cmd),
    lifecycle,
  };
}
