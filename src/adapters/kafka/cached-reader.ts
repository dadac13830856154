import type { ChatMessage } from "../../domain/model.ts";
import type { MessageReader } from "../../ports/index.ts";
import type { RedisPipelineState } from "../redis/pipeline-state.ts";

/**
 * The store's messages plus the ones still on their way to it. Each room's cache in Redis is a
 * contiguous run of its newest messages, written when they are accepted and never trimmed past one
 * the store does not have yet (see RedisPipelineState). So a read the cache covers is answered from
 * Redis alone (fast, and it works while MongoDB is down); other reads merge both, deduplicated by seq.
 * Either way history and `resume` never miss an acked message that Kafka has and MongoDB does not.
 */
export class CachedMessageReader implements MessageReader {
  constructor(private store: MessageReader, private state: RedisPipelineState) {}

  async before(room: string, before: number | undefined, limit: number) {
    const recent = await this.state.recentBefore(room, before, limit);
    if (recent.length === limit || recent.at(-1)?.seq === 1) return recent;
    const stored = await this.store.before(room, before, limit);
    return merge(stored, recent, (a, b) => b.seq - a.seq).slice(0, limit);
  }

  async after(room: string, afterSeq: number, limit: number) {
    const recent = await this.state.recentAfter(room, afterSeq, limit);
    if (recent[0]?.seq === afterSeq + 1) return recent; // contiguous from there to the newest
    const stored = await this.store.after(room, afterSeq, limit);
    return merge(stored, recent, (a, b) => a.seq - b.seq).slice(0, limit);
  }

  async latest(rooms: readonly string[]) {
    // A cached room's newest message is in its cache; only the others need the store.
    const recent = await Promise.all(rooms.map((r) => this.state.recentBefore(r, undefined, 1)));
    const out = new Map<string, ChatMessage>();
    const uncached: string[] = [];
    rooms.forEach((room, i) => {
      const newest = recent[i]![0];
      if (newest) out.set(room, newest);
      else uncached.push(room);
    });
    if (uncached.length) for (const [room, m] of await this.store.latest(uncached)) out.set(room, m);
    return out;
  }
}

function merge(a: ChatMessage[], b: ChatMessage[], order: (x: ChatMessage, y: ChatMessage) => number): ChatMessage[] {
  const bySeq = new Map<number, ChatMessage>();
  for (const m of [...a, ...b]) bySeq.set(m.seq, m);
  return [...bySeq.values()].sort(order);
}
