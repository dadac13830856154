import type { Bucket, RateLimiter } from "../../ports/index.ts";
import type { RedisClient } from "./connection.ts";
import { LuaScript } from "./lua-script.ts";

/** Refill by elapsed Redis time, then take atomically; idle buckets expire once full again. */
const TAKE = new LuaScript(`
local cap, rate, cost = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local b = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(b[1]) or cap
local at = tonumber(b[2]) or now
tokens = math.min(cap, tokens + math.max(0, now - at) / 1000 * rate)
local ok = 0
if tokens >= cost then tokens = tokens - cost; ok = 1 end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(cap / rate * 1000) + 1000)
return ok
`);

/** Token buckets shared by every instance. */
export class RedisRateLimiter implements RateLimiter {
  constructor(private redis: RedisClient, private prefix = "rl:") {}

  async take(key: string, { capacity, refillPerSec }: Bucket, cost = 1) {
    return (await TAKE.run(this.redis, [this.prefix + key], [capacity, refillPerSec, cost])) === 1;
  }
}
