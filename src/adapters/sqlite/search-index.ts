import type { Database } from "bun:sqlite";
import { decodeCursor, encodeCursor } from "../../domain/search/cursor.ts";
import type { ChatMessage } from "../../domain/model.ts";
import type { SearchIndex, SearchPage, SearchQuery } from "../../ports/index.ts";
import { rowToMessage, type MessageRow } from "./database.ts";

/** FTS5 phrase syntax: each term quoted (a `"` doubled), terms side by side mean AND. */
const matchExpression = (terms: readonly string[]) => terms.map((t) => `"${t.replaceAll('"', '""')}"`).join(" ");

/**
 * Embedded search on the message database. Indexing happens in the message writer's transaction
 * (triggers, see search-schema.ts), so `index` has nothing left to do.
 */
export class SqliteSearchIndex implements SearchIndex {
  private q;
  constructor(private db: Database) {
    this.q = db.query<MessageRow, [string, string, string | null, number, number, number, string, number]>(
      `SELECT m.* FROM message_search s JOIN messages m ON m.id = s.id
       WHERE message_search MATCH ?1
         AND s.room_id IN (SELECT value FROM json_each(?2))
         AND (?3 IS NULL OR s.from_id = ?3)
         AND s.created_at >= ?4 AND s.created_at < ?5
         AND (s.created_at < ?6 OR (s.created_at = ?6 AND s.id < ?7))
       ORDER BY s.created_at DESC, s.id DESC LIMIT ?8`,
    );
  }

  async index(_messages: readonly ChatMessage[]): Promise<void> {}

  async remove(ids: readonly string[]): Promise<void> {
    const del = this.db.query<unknown, [string]>("DELETE FROM message_search WHERE id = ?");
    this.db.transaction(() => ids.forEach((id) => del.run(id))).immediate();
  }

  async search(query: SearchQuery): Promise<SearchPage> {
    if (query.rooms.length === 0 || query.terms.length === 0) return { messages: [] };
    const pos = query.cursor ? decodeCursor(query.cursor) : { createdAt: Number.MAX_SAFE_INTEGER, id: "" };
    const rows = this.q.all(
      matchExpression(query.terms),
      JSON.stringify(query.rooms),
      query.from ?? null,
      query.after ?? 0,
      query.before ?? Number.MAX_SAFE_INTEGER,
      pos.createdAt,
      pos.id,
      query.limit + 1,
    );
    const messages = rows.slice(0, query.limit).map(rowToMessage);
    const last = messages.at(-1);
    return rows.length > query.limit && last ? { messages, next: encodeCursor(last) } : { messages };
  }
}
