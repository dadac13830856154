import { errorFields, type Logger } from "../../observability/logger.ts";
import type { PresenceStore } from "../../ports/index.ts";
import type { RedisClient } from "./connection.ts";
import { LuaScript } from "./lua-script.ts";

const K = {
  conns: (userId: string) => `presence:conns:${userId}`,
  instanceUsers: (instance: string) => `presence:inst-users:${instance}`,
  alive: (instance: string) => `presence:alive:${instance}`,
  instances: "presence:instances",
  lastBeat: "presence:last-beat",
  reap: (instance: string) => `presence:reap:${instance}`,
};

/** Adds a connection; 1 when it is the user's first anywhere. */
const CONNECT = new LuaScript(`
redis.call('SADD', KEYS[1], ARGV[1])
redis.call('SADD', KEYS[2], ARGV[2])
return redis.call('SCARD', KEYS[1]) == 1 and 1 or 0
`);
/** Removes a connection; 1 when it was the user's last anywhere. */
const DISCONNECT = new LuaScript(`
if redis.call('SREM', KEYS[1], ARGV[1]) == 0 then return 0 end
if redis.call('SCARD', KEYS[1]) == 0 then redis.call('DEL', KEYS[1]); return 1 end
return 0
`);
/** Drops every connection of a dead instance from one user; 1 when that left the user offline. */
const REAP_USER = new LuaScript(`
local prefix = ARGV[1]
local removed = 0
for _, m in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if string.sub(m, 1, #prefix) == prefix then redis.call('SREM', KEYS[1], m); removed = 1 end
end
if removed == 1 and redis.call('SCARD', KEYS[1]) == 0 then redis.call('DEL', KEYS[1]); return 1 end
return 0
`);

export interface RedisPresenceOptions {
  /** An instance whose heartbeat is older than this is dead and its users' connections expire. */
  ttlSec: number;
  /** How often this instance beats and looks for dead instances. */
  intervalMs?: number;
}

/**
 * Presence across instances: each user's connections (`instance|conn`) in a set; each instance
 * renews a heartbeat key with a TTL. Every instance sweeps for instances whose heartbeat expired;
 * one sweeper claims each dead instance (SET NX), removes its connections and reports users left
 * with none through `onExpired` — once per user across the cluster. With the defaults a dead
 * instance's users are offline within ttl + interval (about 25 s).
 */
export class RedisPresenceStore implements PresenceStore {
  private handlers: ((userId: string, lastSeen: number) => void)[] = [];
  private timer: ReturnType<typeof setInterval> | null = null;
  private intervalMs: number;
  /** This instance's live connections (connId → userId), to put back if Redis loses them. */
  private local = new Map<string, string>();
  private beaten = false;

  constructor(private redis: RedisClient, private instanceId: string, private opts: RedisPresenceOptions, private log: Logger) {
    this.intervalMs = opts.intervalMs ?? Math.min(5000, (opts.ttlSec * 1000) / 4);
  }

  async start() {
    await this.beat();
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
  }

  async close() {
    if (this.timer) clearInterval(this.timer);
    // A clean shutdown hands this instance's connections to the sweepers right away.
    await this.redis.del(K.alive(this.instanceId)).catch(() => {});
  }

  async connected(userId: string, connId: string) {
    this.local.set(connId, userId);
    const r = await CONNECT.run(this.redis, [K.conns(userId), K.instanceUsers(this.instanceId)], [this.member(connId), userId]);
    return r === 1;
  }

  async disconnected(userId: string, connId: string) {
    this.local.delete(connId);
    return (await DISCONNECT.run(this.redis, [K.conns(userId)], [this.member(connId)])) === 1;
  }

  async online(userIds: readonly string[]) {
    if (userIds.length === 0) return new Set<string>();
    const counts = await Promise.all(userIds.map((id) => this.redis.sCard(K.conns(id))));
    return new Set(userIds.filter((_, i) => Number(counts[i]) > 0));
  }

  onExpired(handler: (userId: string, lastSeen: number) => void): void {
    this.handlers.push(handler);
  }

  private member(connId: string) {
    return `${this.instanceId}|${connId}`;
  }

  private async tick() {
    try {
      await this.beat();
      await this.sweep();
    } catch (err) {
      this.log.warn("presence sweep failed", errorFields(err));
    }
  }

  private async beat() {
    const now = Date.now();
    const [, added] = await this.redis
      .multi()
      .set(K.alive(this.instanceId), String(now), { expiration: { type: "EX", value: this.opts.ttlSec } })
      .sAdd(K.instances, this.instanceId)
      .hSet(K.lastBeat, this.instanceId, String(now))
      .exec();
    // Not registered although we beat before: Redis lost its data (restarted empty, flushed). Put
    // this instance's connections back, or its users would look offline until they reconnect.
    if (this.beaten && Number(added) === 1 && this.local.size > 0) {
      this.log.warn("presence lost by redis, re-registering connections", { connections: this.local.size });
      for (const [connId, userId] of this.local) {
        await CONNECT.run(this.redis, [K.conns(userId), K.instanceUsers(this.instanceId)], [this.member(connId), userId]);
      }
    }
    this.beaten = true;
  }

  /** Finds instances whose heartbeat expired and expires their connections. */
  async sweep() {
    for (const instance of await this.redis.sMembers(K.instances)) {
      if (instance === this.instanceId || (await this.redis.exists(K.alive(instance)))) continue;
      const claimed = await this.redis.set(K.reap(instance), this.instanceId, { condition: "NX", expiration: { type: "EX", value: 60 } });
      if (claimed !== "OK") continue;
      const lastSeen = Number(await this.redis.hGet(K.lastBeat, instance)) || Date.now();
      for (const userId of await this.redis.sMembers(K.instanceUsers(instance))) {
        if ((await REAP_USER.run(this.redis, [K.conns(userId)], [`${instance}|`])) === 1) {
          for (const h of this.handlers) h(userId, lastSeen);
        }
      }
      await this.redis.multi().del(K.instanceUsers(instance)).sRem(K.instances, instance).hDel(K.lastBeat, instance).exec();
    }
  }
}
