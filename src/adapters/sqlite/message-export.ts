import type { Database } from "bun:sqlite";
import type { ChatMessage } from "../../domain/model.ts";
import { rowToMessage, type MessageRow } from "./database.ts";

/** Every stored message in pages, by id (for `npm run reindex`). */
export async function* sqliteMessagePages(db: Database, pageSize: number): AsyncGenerator<ChatMessage[]> {
  const page = db.query<MessageRow, [string, number]>("SELECT * FROM messages WHERE id > ? ORDER BY id LIMIT ?");
  for (let after = ""; ; ) {
    const rows = page.all(after, pageSize);
    if (rows.length === 0) return;
    yield rows.map(rowToMessage);
    after = rows.at(-1)!.id;
  }
}

export const sqliteMessageCount = (db: Database) => db.query<{ n: number }, []>("SELECT count(*) AS n FROM messages").get()!.n;
