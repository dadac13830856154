import { withReplies, type StoredMessage } from "../../domain/message-state.ts";
import type { ChatMessage } from "../../domain/model.ts";
import type { RedisChangeState } from "../redis/change-state.ts";

/** The store's lookup of messages by id, as stored (MongoMessageChangeReader.byIds). */
export type StoredById = (ids: readonly string[]) => Promise<Map<string, StoredMessage>>;

/**
 * Resolves replies against the freshest state of each target: a state Redis holds (changed lately,
 * maybe not persisted yet) wins; a reply the store already resolved keeps its ReplyRef otherwise;
 * an unresolved one (from the recent cache) looks its target up in the store, then in the recent
 * cache (a target not persisted yet).
 */
export function replyResolver(changes: RedisChangeState, storedById: StoredById) {
  return async (messages: readonly StoredMessage[]): Promise<ChatMessage[]> => {
    if (!messages.some((m) => m.replyToId || m.replyTo)) return messages as ChatMessage[];
    const rooms = [...new Set(messages.map((m) => m.room))];
    const byRoom = new Map<string, ChatMessage[]>();
    for (const room of rooms) {
      const inRoom = messages.filter((m) => m.room === room);
      const unresolved = new Set(inRoom.flatMap((m) => (m.replyToId ? [m.replyToId] : [])));
      byRoom.set(
        room,
        await withReplies(inRoom, async (ids) => {
          const found: Map<string, ChatMessage> = await changes.states(room, ids);
          const missing = ids.filter((id) => unresolved.has(id) && !found.has(id));
          if (missing.length) for (const [id, m] of await storedById(missing)) found.set(id, m);
          for (const id of missing.filter((id) => !found.has(id))) {
            const fresh = await changes.current(room, id);
            if (fresh) found.set(id, fresh);
          }
          return found;
        }),
      );
    }
    // Back in the order they came.
    const cursors = new Map(rooms.map((r) => [r, 0]));
    return messages.map((m) => {
      const i = cursors.get(m.room)!;
      cursors.set(m.room, i + 1);
      return byRoom.get(m.room)![i]!;
    });
  };
}
