import type { Db } from "mongodb";
import { withReplies, type StoredMessage } from "../../domain/message-state.ts";
import type { ChatMessage } from "../../domain/model.ts";
import type { MessageReader } from "../../ports/index.ts";
import { collections, docToMessage, NOT_EVENT, type Collections, type MessageDoc } from "./collections.ts";

/** Messages by id (no replies resolved: what a ReplyRef needs of its target). */
export async function messagesByIds(c: Collections, ids: readonly string[]): Promise<Map<string, StoredMessage>> {
  if (ids.length === 0) return new Map();
  const docs = await c.messages.find({ _id: { $in: [...ids] } }).toArray();
  return new Map(docs.map((d) => [d._id, docToMessage(d)]));
}

/** Documents as clients see them: replies carry the ReplyRef of their target as it is now. */
export function present(c: Collections, docs: readonly MessageDoc[]): Promise<ChatMessage[]> {
  return withReplies(docs.map(docToMessage), (ids) => messagesByIds(c, ids));
}

/** Range scans on the unique (room, seq) index; every document is its message's current state. */
export class MongoMessageReader implements MessageReader {
  private c: Collections;
  constructor(db: Db) {
    this.c = collections(db);
  }

  async before(room: string, before: number | undefined, limit: number) {
    const filter = before === undefined ? { room, ...NOT_EVENT } : { room, seq: { $lt: before }, ...NOT_EVENT };
    return present(this.c, await this.c.messages.find(filter).sort({ seq: -1 }).limit(limit).toArray());
  }
  async after(room: string, afterSeq: number, limit: number) {
    return present(this.c, await this.c.messages.find({ room, seq: { $gt: afterSeq }, ...NOT_EVENT }).sort({ seq: 1 }).limit(limit).toArray());
  }
  async latest(rooms: readonly string[]) {
    // One indexed lookup per room, in parallel: $group accumulators are not available everywhere.
    const found = await Promise.all(
      rooms.map((room) => this.c.messages.findOne({ room, ...NOT_EVENT }, { sort: { seq: -1 } })),
    );
    const out = new Map<string, ChatMessage>();
    for (const m of await present(this.c, found.filter((d) => d !== null))) out.set(m.room, m);
    return out;
  }
}
