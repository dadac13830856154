import type { Db } from "mongodb";
import type { ChatMessage } from "../../domain/model.ts";
import type { MessageReader } from "../../ports/index.ts";
import { collections, docToMessage, type Collections } from "./collections.ts";

/** Range scans on the unique (room, seq) index. */
export class MongoMessageReader implements MessageReader {
  private c: Collections;
  constructor(db: Db) {
    this.c = collections(db);
  }

  async before(room: string, before: number | undefined, limit: number) {
    const filter = before === undefined ? { room } : { room, seq: { $lt: before } };
    const docs = await this.c.messages.find(filter).sort({ seq: -1 }).limit(limit).toArray();
    return docs.map(docToMessage);
  }
  async after(room: string, afterSeq: number, limit: number) {
    const docs = await this.c.messages.find({ room, seq: { $gt: afterSeq } }).sort({ seq: 1 }).limit(limit).toArray();
    return docs.map(docToMessage);
  }
  async latest(rooms: readonly string[]) {
    // One indexed lookup per room, in parallel: $group accumulators are not available everywhere.
    const found = await Promise.all(
      rooms.map((room) => this.c.messages.findOne({ room }, { sort: { seq: -1 } })),
    );
    const out = new Map<string, ChatMessage>();
    for (const d of found) if (d) out.set(d.room, docToMessage(d));
    return out;
  }
}
