import type { ChatMessage } from "../../domain/model.ts";
import { newestStates, type StoredMessage } from "../../domain/message-state.ts";
import type { MessageChangeReader, UnreadCount } from "../../ports/index.ts";
import type { RedisChangeState } from "../redis/change-state.ts";
import { RECENT_PER_ROOM, type RedisPipelineState } from "../redis/pipeline-state.ts";

/** The durable store's side (MongoMessageChangeReader). */
export interface StoredChanges extends MessageChangeReader {
  byIds(ids: readonly string[]): Promise<Map<string, StoredMessage>>;
  lastSeqs(rooms: readonly string[]): Promise<Map<string, number>>;
  countAfter(room: string, userId: string, after: number, before: number): Promise<{ messages: number; mentions: number }>;
}

/**
 * Changes as the store has them plus the ones still on their way to it: Redis holds the current
 * state of every message changed in the last days, indexes each room's recent changes (never
 * trimming an unpersisted one) and keeps the room's recent messages in their current state. So a
 * change is visible to every reader on every instance once `change` resolved.
 */
export class CachedChangeReader implements MessageChangeReader {
  constructor(
    private store: StoredChanges,
    private changes: RedisChangeState,
    private pipeline: RedisPipelineState,
    private present: (messages: readonly StoredMessage[]) => Promise<ChatMessage[]>,
  ) {}

  async byId(room: string, id: string): Promise<ChatMessage | null> {
    const m = (await this.changes.current(room, id)) ?? (await this.store.byId(room, id));
    return m ? (await this.present([m]))[0]! : null;
  }

  async changedAfter(room: string, afterSeq: number, limit: number): Promise<ChatMessage[]> {
    const [stored, recent] = await Promise.all([this.store.changedAfter(room, afterSeq, limit), this.changes.changedAfter(room, afterSeq)]);
    return this.present(
      newestStates([...stored, ...recent])
        .filter((m) => m.seq <= afterSeq && (m.rev ?? 0) > afterSeq)
        .sort((a, b) => a.rev! - b.rev!)
        .slice(0, limit),
    );
  }

  async unread(userId: string, cursors: ReadonlyMap<string, number>): Promise<Map<string, UnreadCount>> {
    const rooms = [...cursors.keys()];
    const last = await this.changes.lastSeqs(rooms);
    const unseeded = rooms.filter((r) => !last.has(r));
    if (unseeded.length) for (const [room, seq] of await this.store.lastSeqs(unseeded)) last.set(room, seq);
    const out = new Map<string, UnreadCount>();
    await Promise.all(
      rooms.map(async (room) => {
        const lastSeq = last.get(room) ?? 0;
        const cursor = cursors.get(room) ?? 0;
        out.set(room, { lastSeq, ...(lastSeq > cursor ? await this.countAfter(room, userId, cursor) : { messages: 0, mentions: 0 }) });
      }),
    );
    return out;
  }

  /** From the recent cache (it holds every message from its oldest on, in current state); the store only for older ones. */
  private async countAfter(room: string, userId: string, cursor: number) {
    const [recent, oldest] = await Promise.all([this.pipeline.recentAfter(room, cursor, RECENT_PER_ROOM), this.pipeline.recentOldest(room)]);
    const counts = { messages: 0, mentions: 0 };
    for (const m of recent) {
      if (m.from === userId || m.deleted) continue;
      counts.messages++;
      if (m.mentions?.includes(userId)) counts.mentions++;
    }
    if (oldest !== undefined && oldest <= cursor + 1) return counts;
    const older = await this.store.countAfter(room, userId, cursor, oldest ?? Number.POSITIVE_INFINITY);
    return { messages: counts.messages + older.messages, mentions: counts.mentions + older.mentions };
  }
}
