import type { ChatMessage } from "../../domain/model.ts";
import { newestStates, type StoredMessage } from "../../domain/message-state.ts";
import type { MessageReader } from "../../ports/index.ts";
import type { RedisChangeState } from "../redis/change-state.ts";
import type { RedisPipelineState } from "../redis/pipeline-state.ts";

/**
 * The store's messages plus the ones still on their way to it. Each room's cache in Redis holds
 * every message from its oldest entry on (in their current state: changes update it in place),
 * written when they are accepted and never trimmed past one the store does not have yet (see
 * RedisPipelineState). So a read the cache covers is answered from Redis alone (fast, and it works
 * while MongoDB is down); other reads merge both, keeping each message's most current state, and lay
 * the changed states Redis holds over what the store returned (a change may still be on its way).
 * Either way history and `resume` never miss an acked message or change that Kafka has and MongoDB does not.
 */
export class CachedMessageReader implements MessageReader {
  constructor(
    private store: MessageReader,
    private state: RedisPipelineState,
    private changes: RedisChangeState,
    /** Sets replies' ReplyRefs from their targets' current states (see replies.ts). */
    private present: (messages: readonly StoredMessage[]) => Promise<ChatMessage[]>,
  ) {}

  async before(room: string, before: number | undefined, limit: number) {
    const recent = await this.state.recentBefore(room, before, limit);
    if (recent.length === limit || recent.at(-1)?.seq === 1) return this.present(recent);
    const stored = await this.store.before(room, before, limit);
    return this.present((await this.current(room, stored, recent)).sort((a, b) => b.seq - a.seq).slice(0, limit));
  }

  async after(room: string, afterSeq: number, limit: number) {
    const recent = await this.state.recentAfter(room, afterSeq, limit);
    // Contiguous from there to the newest (changes take seqs too, so the next message's seq may be further on).
    if (recent[0]?.seq === afterSeq + 1) return this.present(recent);
    const oldest = await this.state.recentOldest(room);
    if (oldest !== undefined && oldest <= afterSeq + 1) return this.present(recent);
    const stored = await this.store.after(room, afterSeq, limit);
    return this.present((await this.current(room, stored, recent)).sort((a, b) => a.seq - b.seq).slice(0, limit));
  }

  async latest(rooms: readonly string[]) {
    // A cached room's newest message is in its cache; only the others need the store.
    const recent = await Promise.all(rooms.map((r) => this.state.recentBefore(r, undefined, 1)));
    const newest: StoredMessage[] = [];
    const uncached: string[] = [];
    rooms.forEach((room, i) => {
      const m = recent[i]![0];
      if (m) newest.push(m);
      else uncached.push(room);
    });
    if (uncached.length) newest.push(...(await this.store.latest(uncached)).values());
    return new Map((await this.present(newest)).map((m) => [m.room, m]));
  }

  /** Stored and cached messages merged, each in the most current state the store, the cache or Redis's changed states have. */
  private async current(room: string, stored: ChatMessage[], recent: StoredMessage[]): Promise<StoredMessage[]> {
    const changed = await this.changes.states(room, stored.map((m) => m.id));
    return newestStates([...stored, ...recent, ...changed.values()]);
  }
}
