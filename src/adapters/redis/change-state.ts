/**
 * The Redis side of message changes in the Kafka pipeline. A changed message's current state lives
 * in Redis (7 days after its last change) next to the room's seq counter, and CHANGE decides every
 * change against it atomically: concurrent changes from any instance get consecutive seqs and each
 * is decided on the state its predecessors left. The decided state (with rev = the change's seq)
 * is what travels through Kafka, so persistence only keeps the state with the highest rev and every
 * instance, replay and redelivery ends in the same document.
 */
import type { ChatMessage } from "../../domain/model.ts";
import type { ChangeDraft, ChangeResult } from "../../ports/index.ts";
import { LIMITS } from "../../protocol/index.ts";
import type { RedisClient } from "./connection.ts";
import { CHANGE, FIND_RECENT } from "./change-scripts.ts";
import { decodeMessage, RECENT_PER_ROOM, type RedisPipelineState } from "./pipeline-state.ts";

const WEEK_SEC = 7 * 86_400;
/** As for accepted messages: how long Kafka's ack may take before the outbox relay publishes the change. */
const IN_FLIGHT_LEASE_MS = 30_000;

/** What Redis decided; `unseeded` / `unknown` ask the caller to seed the room's counter / the message's state from the store. */
export type Decided = ChangeResult | "unseeded" | "unknown";

export class RedisChangeState {
  constructor(private redis: RedisClient, private pipeline: RedisPipelineState) {}

  private get keys() {
    return this.pipeline.keys;
  }

  /** Decides and records the change (see CHANGE). An applied change is in the outbox under `<id>@<rev>`. */
  async change(d: ChangeDraft, now = Date.now()): Promise<Decided> {
    const k = this.keys;
    const change = d.change.kind === "edit" ? { ...d.change, mentions: [...new Set(d.change.mentions)] } : d.change;
    const [status, json] = (await CHANGE.run(
      this.redis,
      [k.state(d.room, d.messageId), k.seq(d.room), k.recent(d.room), k.unpersisted(d.room), k.changes(d.room), k.outbox, k.editIdem(d.by, d.room, d.clientId ?? "")],
      [JSON.stringify(change), d.by, d.at, WEEK_SEC, RECENT_PER_ROOM, now + IN_FLIGHT_LEASE_MS, d.messageId, LIMITS.reactionsPerUser, k.outboxRecordPrefix, k.idemPrefix, d.clientId && d.change.kind === "edit" ? "1" : "0"],
    )) as [number, string?];
    switch (status) {
      case -1:
        return "unseeded";
      case -2:
        return "unknown";
      case 0:
        return { status: "noop", message: decodeMessage(json!) };
      case 1: {
        const message = decodeMessage(json!);
        return { status: "applied", seq: message.rev!, message };
      }
      case 2:
        return { status: "not_found" };
      default:
        return { status: "limit" };
    }
  }

  /** The outbox key of an applied change (see CHANGE). */
  outboxKey(message: ChatMessage): string {
    return `${message.id}@${message.rev}`;
  }

  /** Starts a message's state from the store's copy, unless a change already did (NX). */
  async seed(message: ChatMessage): Promise<void> {
    await this.redis.set(this.keys.state(message.room, message.id), JSON.stringify(message), { condition: "NX", expiration: { type: "EX", value: WEEK_SEC } });
  }

  /** The message as Redis knows it: its changed state, else its entry in the recent cache; null when neither has it. */
  async current(room: string, id: string): Promise<ChatMessage | null> {
    const state = await this.redis.get(this.keys.state(room, id));
    if (state) return decodeMessage(state);
    const cached = (await FIND_RECENT.run(this.redis, [this.keys.recent(room)], [id])) as string | null;
    return cached ? decodeMessage(cached) : null;
  }

  /** The changed states Redis holds for these messages of a room (id -> state). */
  async states(room: string, ids: readonly string[]): Promise<Map<string, ChatMessage>> {
    if (ids.length === 0) return new Map();
    const rows = await this.redis.mGet(ids.map((id) => this.keys.state(room, id)));
    const out = new Map<string, ChatMessage>();
    for (const row of rows) {
      if (!row) continue;
      const m = decodeMessage(row);
      out.set(m.id, m);
    }
    return out;
  }

  /** States of messages changed after `afterSeq` that Redis still indexes (at least every unpersisted change). */
  async changedAfter(room: string, afterSeq: number): Promise<ChatMessage[]> {
    const ids = await this.redis.zRange(this.keys.changes(room), `(${afterSeq}`, "+inf", { BY: "SCORE" });
    return [...(await this.states(room, ids)).values()];
  }

  /** Each room's newest seq (message or change) from its counter; absent for rooms whose counter is not seeded. */
  async lastSeqs(rooms: readonly string[]): Promise<Map<string, number>> {
    if (rooms.length === 0) return new Map();
    const rows = await this.redis.mGet(rooms.map((r) => this.keys.seq(r)));
    const out = new Map<string, number>();
    rooms.forEach((room, i) => {
      const v = rows[i];
      if (v != null) out.set(room, Number(v));
    });
    return out;
  }
}
