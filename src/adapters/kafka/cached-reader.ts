import type { ChatMessage } from "../../domain/model.ts";
import type { MessageReader } from "../../ports/index.ts";
import type { RedisPipelineState } from "./redis-pipeline.ts";

/**
 * The store's messages plus the ones still on their way to it: each room's recent messages live in
 * Redis from the moment they are accepted, so history and `resume` never miss an acked message that
 * Kafka has and MongoDB does not yet.
 */
export class CachedMessageReader implements MessageReader {
  constructor(private store: MessageReader, private state: RedisPipelineState) {}

  async before(room: string, before: number | undefined, limit: number) {
    const [stored, recent] = await Promise.all([this.store.before(room, before, limit), this.state.recentBefore(room, before, limit)]);
    return merge(stored, recent, (a, b) => b.seq - a.seq).slice(0, limit);
  }

  async after(room: string, afterSeq: number, limit: number) {
    const [stored, recent] = await Promise.all([this.store.after(room, afterSeq, limit), this.state.recentAfter(room, afterSeq, limit)]);
    // Stored messages past the first gap in what the store has would skip cached ones: merge, then cut.
    return merge(stored, recent, (a, b) => a.seq - b.seq).slice(0, limit);
  }

  async latest(rooms: readonly string[]) {
    const stored = await this.store.latest(rooms);
    const recent = await Promise.all(rooms.map((r) => this.state.recentBefore(r, undefined, 1)));
    rooms.forEach((room, i) => {
      const cached = recent[i]![0];
      if (cached && cached.seq > (stored.get(room)?.seq ?? 0)) stored.set(room, cached);
    });
    return stored;
  }
}

function merge(a: ChatMessage[], b: ChatMessage[], order: (x: ChatMessage, y: ChatMessage) => number): ChatMessage[] {
  const bySeq = new Map<number, ChatMessage>();
  for (const m of [...a, ...b]) bySeq.set(m.seq, m);
  return [...bySeq.values()].sort(order);
}
