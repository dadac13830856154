import type { Db } from "mongodb";
import type { ChatMessage } from "../../domain/model.ts";
import { collections, docToMessage, NOT_EVENT } from "./collections.ts";

/** Every stored message in pages, by id (for `npm run reindex`). */
export async function* mongoMessagePages(db: Db, pageSize: number): AsyncGenerator<ChatMessage[]> {
  const messages = collections(db).messages;
  for (let after = ""; ; ) {
    const docs = await messages.find({ _id: { $gt: after }, ...NOT_EVENT }).sort({ _id: 1 }).limit(pageSize).toArray();
    if (docs.length === 0) return;
    yield docs.map(docToMessage);
    after = docs.at(-1)!._id;
  }
}

export const mongoMessageCount = (db: Db) => collections(db).messages.countDocuments(NOT_EVENT);
