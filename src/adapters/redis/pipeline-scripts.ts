/**
 * The Lua scripts of the pipeline's Redis state. Each is one atomic step, so instances and the
 * pipeline worker can share the keys without locks.
 */
import { LuaScript } from "./lua-script.ts";

/**
 * Trims a room's recent cache to its newest ARGV[keep] entries, but never drops a message that is
 * not in the store yet (its seq is still in the room's unpersisted set): readers rely on the cache
 * for exactly those. KEYS: recent, unpersisted.
 */
export const TRIM = (recent: string, unpersisted: string, keep: string) => `
local card = redis.call('ZCARD', ${recent})
local excess = card - tonumber(${keep})
if excess > 0 then
  local cut = tonumber(redis.call('ZRANGE', ${recent}, excess - 1, excess - 1, 'WITHSCORES')[2])
  local oldest = redis.call('ZRANGE', ${unpersisted}, 0, 0, 'WITHSCORES')[2]
  if oldest and tonumber(oldest) <= cut then cut = tonumber(oldest) - 1 end
  redis.call('ZREMRANGEBYSCORE', ${recent}, '-inf', cut)
end
`;

/**
 * Accepts a message. A retried (from, room, clientId) returns the stored message ({0, json}); a room
 * whose counter is missing (new room, or a Redis that lost its data) returns {-1} so the caller
 * seeds it from the store first. Otherwise takes the next seq and, in the same step, records the
 * idempotency key, caches the message, marks it unpersisted and puts it in the outbox due at
 * ARGV[now+lease]: if this process dies before Kafka has it, another loop publishes it. The
 * sender's own read position in the room moves to the new seq (your own message counts as read
 * at once, while the store's cursor only moves when the message is persisted).
 * KEYS: idem, seq, recent, unpersisted, outbox queue, outbox record, sender's own reads, legacy idem.
 * ARGV: message JSON without seq, ttl sec, recent size, outbox due (ms), message id, room.
 * The legacy key (per sender and clientId, from releases before idempotency per room) still counts
 * for a retry into the same room, so a rolling upgrade does not store a retried send twice; such
 * keys expire within the ttl.
 */
export const ACCEPT = new LuaScript(`
local existing = redis.call('GET', KEYS[1])
if existing then return {0, existing} end
local legacy = redis.call('GET', KEYS[8])
if legacy and cjson.decode(legacy).room == ARGV[6] then return {0, legacy} end
if redis.call('EXISTS', KEYS[2]) == 0 then return {-1, ''} end
local ttl = tonumber(ARGV[2])
local msg = cjson.decode(ARGV[1])
msg.seq = redis.call('INCR', KEYS[2])
local json = cjson.encode(msg)
redis.call('SET', KEYS[1], json, 'EX', ttl)
redis.call('ZADD', KEYS[3], msg.seq, json)
redis.call('EXPIRE', KEYS[3], ttl)
redis.call('ZADD', KEYS[4], msg.seq, msg.seq)
redis.call('EXPIRE', KEYS[4], ttl)
redis.call('SET', KEYS[6], cjson.encode({message = msg, attempts = 0}), 'EX', ttl)
redis.call('ZADD', KEYS[5], ARGV[4], ARGV[5])
redis.call('HSET', KEYS[7], msg.room, msg.seq)
redis.call('EXPIRE', KEYS[7], ttl)
${TRIM("KEYS[3]", "KEYS[4]", "ARGV[3]")}
return {1, msg.seq}
`);

/**
 * The store has these seqs of a room now (a message's seq, a change's rev): they no longer pin the
 * recent cache and the room's index of recent changes.
 * KEYS: recent, unpersisted, changes. ARGV: recent size, seq...
 */
export const PERSISTED = new LuaScript(`
for i = 2, #ARGV do redis.call('ZREM', KEYS[2], ARGV[i]) end
${TRIM("KEYS[1]", "KEYS[2]", "ARGV[1]")}
${TRIM("KEYS[3]", "KEYS[2]", "ARGV[1]")}
return 0
`);

/**
 * Claims up to ARGV[max] outbox entries due at ARGV[now] by moving them to ARGV[until], so no other
 * loop takes them meanwhile; entries whose record expired (7 days) are dropped.
 * KEYS: outbox queue. ARGV: now, until, max, record key prefix. Returns the records' JSON.
 */
export const CLAIM = new LuaScript(`
local ids = redis.call('ZRANGE', KEYS[1], '-inf', ARGV[1], 'BYSCORE', 'LIMIT', 0, tonumber(ARGV[3]))
local out = {}
for _, id in ipairs(ids) do
  local raw = redis.call('GET', ARGV[4] .. id)
  if raw then
    redis.call('ZADD', KEYS[1], ARGV[2], id)
    table.insert(out, raw)
  else
    redis.call('ZREM', KEYS[1], id)
  end
end
return out
`);
