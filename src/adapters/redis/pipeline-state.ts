/**
 * The Redis side of the Kafka pipeline, shared by the socket thread (accept) and the pipeline
 * worker (outbox retry, cache trimming after persistence):
 * - per-room seq counters and idempotency records;
 * - a cache of each room's recent messages that also keeps every message not in the store yet;
 * - an outbox: every accepted message is in it until Kafka has it. Normally it leaves within
 *   milliseconds; a message Kafka could not take (or whose instance died) stays, "parked", and the
 *   retry loop publishes it with backoff.
 */
import { messageOf, type ChatMessage, type MessageDraft } from "../../domain/model.ts";
import { storedOf, withoutReplyId, type StoredMessage } from "../../domain/message-state.ts";
import { messageSchema } from "../../protocol/index.ts";
import type { RedisClient } from "./connection.ts";
import { ACCEPT, CLAIM, PERSISTED } from "./pipeline-scripts.ts";
import { z } from "zod";

const WEEK_SEC = 7 * 86_400;
export const RECENT_PER_ROOM = 200;
/** How long an accepted message may wait for Kafka's ack before the retry loop may publish it. */
const IN_FLIGHT_LEASE_MS = 30_000;

/** Room keys are global (room ids are unique); the outbox belongs to one topic's pipeline. */
export const pipelineKeys = (topic: string) => ({
  seq: (room: string) => `seq:${room}`,
  /** Per (sender, room, clientId): the same clientId reused in another room is a new message. */
  idem: (from: string, room: string, clientId: string) => `idem:${from}:${room}:${clientId}`,
  /** Written by releases before idempotency per room (see ACCEPT). */
  legacyIdem: (from: string, clientId: string) => `idem:${from}:${clientId}`,
  recent: (room: string) => `recent:${room}`,
  /** A changed message's current state (see change-state.ts). */
  state: (room: string, id: string) => `msgstate:${room}:${id}`,
  /** A room's recently changed messages: rev -> id, never trimmed past an unpersisted change. */
  changes: (room: string) => `changes:${room}`,
  /** Per (editor, room, clientId), like sends' idem. */
  editIdem: (by: string, room: string, clientId: string) => `idem-edit:${by}:${room}:${clientId}`,
  idemPrefix: "idem:",
  unpersisted: (room: string) => `unpersisted:${room}`,
  ownReads: (user: string) => `ownread:${user}`,
  outbox: `outbox:${topic}`,
  outboxRecordPrefix: `outbox:${topic}:msg:`,
  /** Present while this Redis holds the counters it handed out (see KafkaMessageLog.seed). */
  epoch: `pipeline:${topic}:epoch`,
});

/** What the pipeline keeps and carries (Redis, Kafka records): replies hold their target's id (see StoredMessage). */
const storedMessageSchema = messageSchema.extend({ replyToId: z.string().optional() });
export const decodeMessage = (json: string): StoredMessage => storedMessageSchema.parse(JSON.parse(json));

/** `key` is set for a change: `<message id>@<rev>` (a message may have several changes in flight). */
const outboxRecord = z.object({ message: storedMessageSchema, attempts: z.number().int().min(0), key: z.string().optional() });
export type OutboxEntry = z.infer<typeof outboxRecord>;
/** The id of an outbox entry: its queue member and record key suffix. */
export const outboxKey = (e: OutboxEntry): string => e.key ?? e.message.id;

export type Accepted = { message: ChatMessage; duplicate: boolean } | "unseeded";

export class RedisPipelineState {
  readonly keys: ReturnType<typeof pipelineKeys>;
  private releasing: string[] = [];

  constructor(private redis: RedisClient, topic: string) {
    this.keys = pipelineKeys(topic);
  }

  /** False when this Redis never had, or lost, the pipeline's state (restarted empty, flushed). */
  async hasEpoch(): Promise<boolean> {
    return (await this.redis.exists(this.keys.epoch)) === 1;
  }

  async markEpoch(): Promise<void> {
    await this.redis.set(this.keys.epoch, String(Date.now()), { condition: "NX" });
  }

  /** Starts a room's counter at the store's max seq, unless another caller already did. */
  async seedSeq(room: string, storedMax: number): Promise<void> {
    await this.redis.set(this.keys.seq(room), String(storedMax), { condition: "NX" });
  }

  /** Seq, idempotency record, cache and outbox entry in one atomic step (see ACCEPT). */
  async accept(d: MessageDraft, now = Date.now()): Promise<Accepted> {
    const k = this.keys;
    const { seq: _, ...draft } = storedOf(d, 0);
    const [status, json] = (await ACCEPT.run(
      this.redis,
      [k.idem(d.from, d.room, d.clientId), k.seq(d.room), k.recent(d.room), k.unpersisted(d.room), k.outbox, k.outboxRecordPrefix + d.id, k.ownReads(d.from), k.legacyIdem(d.from, d.clientId)],
      [JSON.stringify(draft), WEEK_SEC, RECENT_PER_ROOM, now + IN_FLIGHT_LEASE_MS, d.id, d.room],
    )) as [number, string | number];
    if (status === -1) return "unseeded";
    // New: only its seq comes back (the draft is here), so nothing is parsed or validated again.
    // A duplicate is the stored original: read from Redis, so validated.
    if (status === 1) return { message: messageOf(d, Number(json)), duplicate: false };
    return { message: withoutReplyId(decodeMessage(String(json))), duplicate: true };
  }

  /** room → the seq of the user's newest accepted message there (see ACCEPT). */
  async ownReads(user: string): Promise<Map<string, number>> {
    const hash = await this.redis.hGetAll(this.keys.ownReads(user));
    return new Map(Object.entries(hash).map(([room, seq]) => [room, Number(seq)]));
  }

  async ownRead(user: string, room: string): Promise<number> {
    return Number((await this.redis.hGet(this.keys.ownReads(user), room)) ?? 0);
  }

  /** Kafka has the message: it leaves the outbox. Coalesced into one round trip per tick; a lost
   * release only means one harmless extra publish (the store upserts by id). */
  release(id: string): void {
    this.releasing.push(id);
    if (this.releasing.length > 1) return;
    setTimeout(() => {
      const ids = this.releasing.splice(0);
      void this.published(ids).catch(() => {});
    }, 0);
  }

  /** Kafka could not take it: the retry loop publishes it from `retryAt` on. */
  async park(id: string, retryAt: number): Promise<void> {
    await this.redis.zAdd(this.keys.outbox, { score: retryAt, value: id });
  }

  async parkedCount(): Promise<number> {
    return Number(await this.redis.zCard(this.keys.outbox));
  }

  /** Newest first, seq < before. */
  async recentBefore(room: string, before: number | undefined, limit: number): Promise<ChatMessage[]> {
    const max = before === undefined ? "+inf" : `(${before}`;
    const rows = await this.redis.zRange(this.keys.recent(room), max, "-inf", { BY: "SCORE", REV: true, LIMIT: { offset: 0, count: limit } });
    return rows.map(decodeMessage);
  }

  /** The seq of the oldest message in a room's recent cache: the cache holds every message from there on. */
  async recentOldest(room: string): Promise<number | undefined> {
    const [oldest] = await this.redis.zRangeWithScores(this.keys.recent(room), 0, 0);
    return oldest?.score;
  }

  /** Oldest first, seq > after. */
  async recentAfter(room: string, after: number, limit: number): Promise<ChatMessage[]> {
    const rows = await this.redis.zRange(this.keys.recent(room), `(${after}`, "+inf", { BY: "SCORE", LIMIT: { offset: 0, count: limit } });
    return rows.map(decodeMessage);
  }

  /**
   * Claims outbox entries due now for `leaseMs` (atomically, so two loops never take the same
   * one; a double publish after a lease ran out would still be harmless).
   */
  async claimDue(now: number, leaseMs: number, max: number): Promise<OutboxEntry[]> {
    const raw = (await CLAIM.run(this.redis, [this.keys.outbox], [now, now + leaseMs, max, this.keys.outboxRecordPrefix])) as string[];
    return raw.map((r) => outboxRecord.parse(JSON.parse(r)));
  }

  async published(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.redis.multi().zRem(this.keys.outbox, ids).del(ids.map((id) => this.keys.outboxRecordPrefix + id)).exec();
  }

  async retryLater(entries: { entry: OutboxEntry; retryAt: number }[]): Promise<void> {
    if (entries.length === 0) return;
    const tx = this.redis.multi();
    for (const { entry, retryAt } of entries) {
      // XX: an entry released meanwhile (its first publish got through after all) stays released.
      tx.set(this.keys.outboxRecordPrefix + outboxKey(entry), JSON.stringify(entry), { condition: "XX", expiration: { type: "KEEPTTL" } });
      tx.zAdd(this.keys.outbox, { score: retryAt, value: outboxKey(entry) }, { condition: "XX" });
    }
    await tx.exec();
  }

  /** The store has these messages (or changed states, by rev) now: they stop pinning their rooms' caches. */
  async persisted(messages: readonly ChatMessage[]): Promise<void> {
    const byRoom = new Map<string, number[]>();
    for (const m of messages) {
      const seq = m.rev ?? m.seq;
      const seqs = byRoom.get(m.room);
      if (seqs) seqs.push(seq);
      else byRoom.set(m.room, [seq]);
    }
    const k = this.keys;
    await Promise.all(
      [...byRoom].map(([room, seqs]) => PERSISTED.run(this.redis, [k.recent(room), k.unpersisted(room), k.changes(room)], [RECENT_PER_ROOM, ...seqs])),
    );
  }
}
