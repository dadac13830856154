import type { Db } from "mongodb";
import type { ChatMessage } from "../../domain/model.ts";
import type { MessageChangeReader, UnreadCount } from "../../ports/index.ts";
import { collections, NOT_EVENT, type Collections } from "./collections.ts";

import { messagesByIds, present } from "./message-reader.ts";
import type { StoredMessage } from "../../domain/message-state.ts";

/** Unread messages counted per room at most (as in SQLite): a user back from a long absence must not cost a full scan. */
const UNREAD_COUNT_MAX = 10_000;

/**
 * Changes as the messages collection holds them: each document is its message's current state and
 * `rev` the seq of its last change (index room_rev).
 */
export class MongoMessageChangeReader implements MessageChangeReader {
  private c: Collections;
  constructor(db: Db) {
    this.c = collections(db);
  }

  async byId(room: string, id: string): Promise<ChatMessage | null> {
    const doc = await this.c.messages.findOne({ _id: id, room, ...NOT_EVENT });
    return doc ? (await present(this.c, [doc]))[0]! : null;
  }

  /** These messages as stored (replies unresolved: what a ReplyRef needs of its target). */
  byIds(ids: readonly string[]): Promise<Map<string, StoredMessage>> {
    return messagesByIds(this.c, ids);
  }

  async changedAfter(room: string, afterSeq: number, limit: number): Promise<ChatMessage[]> {
    return present(this.c, await this.c.messages.find({ room, rev: { $gt: afterSeq }, seq: { $lte: afterSeq } }).sort({ rev: 1 }).limit(limit).toArray());
  }

  async unread(userId: string, cursors: ReadonlyMap<string, number>): Promise<Map<string, UnreadCount>> {
    const rooms = [...cursors.keys()];
    const last = await this.lastSeqs(rooms);
    const out = new Map<string, UnreadCount>();
    await Promise.all(
      rooms.map(async (room) => {
        const lastSeq = last.get(room) ?? 0;
        const cursor = cursors.get(room) ?? 0;
        // Nothing after the cursor (the usual case): no count query.
        const counts = lastSeq > cursor ? await this.countAfter(room, userId, cursor, Number.POSITIVE_INFINITY) : { messages: 0, mentions: 0 };
        out.set(room, { lastSeq, ...counts });
      }),
    );
    return out;
  }

  /** Each room's newest event: its newest message's seq or its newest change's rev, whichever is later (a change's slot counts too). */
  async lastSeqs(rooms: readonly string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    await Promise.all(
      rooms.map(async (room) => {
        const [bySeq, byRev] = await Promise.all([
          this.c.messages.findOne({ room }, { sort: { seq: -1 }, projection: { seq: 1 } }),
          this.c.messages.findOne({ room, rev: { $gt: 0 } }, { sort: { rev: -1 }, projection: { rev: 1 } }),
        ]);
        out.set(room, Math.max(bySeq?.seq ?? 0, byRev?.rev ?? 0));
      }),
    );
    return out;
  }

  /**
   * Messages with after < seq < before not from the user and not deleted, and those of them
   * mentioning the user; counted up to UNREAD_COUNT_MAX (a badge says "999+" long before). One range
   * read on the (room, seq) index, counted here: FerretDB evaluates $ne and $exists filters by
   * scanning, so the filters stay out of the query.
   */
  async countAfter(room: string, userId: string, after: number, before: number): Promise<{ messages: number; mentions: number }> {
    const seq = Number.isFinite(before) ? { $gt: after, $lt: before } : { $gt: after };
    const docs = await this.c.messages
      .find({ room, seq }, { projection: { from: 1, deleted: 1, mentions: 1, event: 1 } })
      .sort({ seq: 1 })
      .limit(UNREAD_COUNT_MAX)
      .toArray();
    const counts = { messages: 0, mentions: 0 };
    for (const d of docs) {
      if (d.event || d.deleted || d.from === userId) continue;
      counts.messages++;
      if (d.mentions?.includes(userId)) counts.mentions++;
    }
    return counts;
  }
}
