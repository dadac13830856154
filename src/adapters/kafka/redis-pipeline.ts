/**
 * The Redis side of the Kafka pipeline, shared by the socket thread (accept) and the pipeline
 * worker (retry of parked messages): per-room seq counters, idempotency records, a cache of each
 * room's recent messages, and the parking lot for messages Kafka could not take.
 */
import type { ChatMessage, MessageDraft } from "../../domain/model.ts";
import { messageSchema } from "../../protocol/index.ts";
import type { RedisClient } from "../redis/connection.ts";
import { LuaScript } from "../redis/lua-script.ts";

const WEEK_SEC = 7 * 86_400;
export const RECENT_PER_ROOM = 200;

export const keys = {
  seq: (room: string) => `seq:${room}`,
  idem: (from: string, clientId: string) => `idem:${from}:${clientId}`,
  recent: (room: string) => `recent:${room}`,
  parkedQueue: "parked:queue",
  parked: (id: string) => `parked:msg:${id}`,
};

/**
 * One atomic step: a retried (from, clientId) returns the stored message; otherwise the room's next
 * seq is taken, the message recorded for retries and added to the room's recent cache.
 * ARGV: message JSON without seq, idempotency TTL, recent size. Returns [isNew, messageJson].
 */
const ACCEPT = new LuaScript(`
local existing = redis.call('GET', KEYS[1])
if existing then return {0, existing} end
local msg = cjson.decode(ARGV[1])
msg.seq = redis.call('INCR', KEYS[2])
local json = cjson.encode(msg)
redis.call('SET', KEYS[1], json, 'EX', tonumber(ARGV[2]))
redis.call('ZADD', KEYS[3], msg.seq, json)
redis.call('ZREMRANGEBYRANK', KEYS[3], 0, -tonumber(ARGV[3]) - 1)
redis.call('EXPIRE', KEYS[3], tonumber(ARGV[2]))
return {1, json}
`);

export const decodeMessage = (json: string): ChatMessage => messageSchema.parse(JSON.parse(json));

export class RedisPipelineState {
  constructor(private redis: RedisClient) {}

  /** Seeds a room's counter from the store the first time this Redis sees the room. */
  async seedSeq(room: string, storedMax: () => Promise<number>): Promise<void> {
    if (await this.redis.exists(keys.seq(room))) return;
    await this.redis.set(keys.seq(room), String(await storedMax()), { condition: "NX" });
  }

  async accept(d: MessageDraft): Promise<{ message: ChatMessage; duplicate: boolean }> {
    const draft = { id: d.id, room: d.room, from: d.from, fromName: d.fromName, body: d.body, createdAt: d.createdAt, clientId: d.clientId, ...(d.incomplete ? { incomplete: true } : {}) };
    const [isNew, json] = (await ACCEPT.run(
      this.redis,
      [keys.idem(d.from, d.clientId), keys.seq(d.room), keys.recent(d.room)],
      [JSON.stringify(draft), WEEK_SEC, RECENT_PER_ROOM],
    )) as [number, string];
    return { message: decodeMessage(json), duplicate: isNew === 0 };
  }

  /** Newest first, seq < before. */
  async recentBefore(room: string, before: number | undefined, limit: number): Promise<ChatMessage[]> {
    const max = before === undefined ? "+inf" : `(${before}`;
    const rows = await this.redis.zRange(keys.recent(room), max, "-inf", { BY: "SCORE", REV: true, LIMIT: { offset: 0, count: limit } });
    return rows.map(decodeMessage);
  }

  /** Oldest first, seq > after. */
  async recentAfter(room: string, after: number, limit: number): Promise<ChatMessage[]> {
    const rows = await this.redis.zRange(keys.recent(room), `(${after}`, "+inf", { BY: "SCORE", LIMIT: { offset: 0, count: limit } });
    return rows.map(decodeMessage);
  }

  async park(message: ChatMessage, retryAt: number): Promise<void> {
    await this.redis
      .multi()
      .set(keys.parked(message.id), JSON.stringify({ message, attempts: 0 }), { expiration: { type: "EX", value: WEEK_SEC } })
      .zAdd(keys.parkedQueue, { score: retryAt, value: message.id })
      .exec();
  }

  async parkedCount(): Promise<number> {
    return Number(await this.redis.zCard(keys.parkedQueue));
  }

  /**
   * Claims parked messages due now: each is moved to `now + leaseMs` so another instance's loop
   * does not publish it at the same time (a double publish would still be harmless: upserts by id).
   */
  async claimDue(now: number, leaseMs: number, max: number): Promise<{ message: ChatMessage; attempts: number }[]> {
    const ids = await this.redis.zRange(keys.parkedQueue, "-inf", now, { BY: "SCORE", LIMIT: { offset: 0, count: max } });
    const claimed: { message: ChatMessage; attempts: number }[] = [];
    for (const id of ids) {
      // ZADD XX GT only moves it forward; when another instance moved it first, its score is > now.
      const moved = await this.redis.zAdd(keys.parkedQueue, { score: now + leaseMs, value: id }, { condition: "XX", comparison: "GT", CH: true });
      if (moved !== 1) continue;
      const raw = await this.redis.get(keys.parked(id));
      if (!raw) {
        await this.redis.zRem(keys.parkedQueue, id); // expired after 7 days
        continue;
      }
      const parsed = JSON.parse(raw) as { message: unknown; attempts: number };
      claimed.push({ message: messageSchema.parse(parsed.message), attempts: parsed.attempts });
    }
    return claimed;
  }

  async published(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.redis.multi().zRem(keys.parkedQueue, ids).del(ids.map(keys.parked)).exec();
  }

  async retryLater(id: string, message: ChatMessage, attempts: number, retryAt: number): Promise<void> {
    await this.redis
      .multi()
      .set(keys.parked(id), JSON.stringify({ message, attempts }), { expiration: { type: "KEEPTTL" } })
      .zAdd(keys.parkedQueue, { score: retryAt, value: id })
      .exec();
  }
}
