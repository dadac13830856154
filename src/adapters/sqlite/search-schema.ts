import type { Database } from "bun:sqlite";

/**
 * Full-text search over message bodies: FTS5 with the trigram tokenizer (substring matching, so
 * `launch` finds `relaunched` and `example.com/plan` finds the link). Triggers keep it in step with
 * `messages` inside the writer's own transaction: a message is searchable exactly when it is
 * durable, and an edited or deleted body stops being findable in its old form.
 * Created by migration 4 (migrations.ts).
 */
export const SEARCH_SCHEMA = `
CREATE VIRTUAL TABLE IF NOT EXISTS message_search USING fts5(
  body, id UNINDEXED, room_id UNINDEXED, from_id UNINDEXED, created_at UNINDEXED, tokenize = 'trigram'
);
CREATE TRIGGER IF NOT EXISTS message_search_insert AFTER INSERT ON messages BEGIN
  INSERT INTO message_search (body, id, room_id, from_id, created_at) VALUES (new.body, new.id, new.room_id, new.from_id, new.created_at);
END;
CREATE TRIGGER IF NOT EXISTS message_search_update AFTER UPDATE OF body ON messages BEGIN
  DELETE FROM message_search WHERE id = old.id;
  INSERT INTO message_search (body, id, room_id, from_id, created_at) VALUES (new.body, new.id, new.room_id, new.from_id, new.created_at);
END;
CREATE TRIGGER IF NOT EXISTS message_search_delete AFTER DELETE ON messages BEGIN
  DELETE FROM message_search WHERE id = old.id;
END;
`;

/** Re-indexes every stored message (npm run reindex); returns how many. */
export function rebuildSearch(db: Database, onProgress: (done: number) => void = () => {}): number {
  db.exec("DELETE FROM message_search");
  // From migration 5 on, an entry's rowid is its message's search_rowid (see SEARCH_TRIGGERS_V5).
  const rowid = hasSearchRowid(db) ? "search_rowid" : "NULL";
  const copy = db.query<unknown, [string, number]>(
    `INSERT INTO message_search (rowid, body, id, room_id, from_id, created_at)
     SELECT ${rowid}, body, id, room_id, from_id, created_at FROM (SELECT * FROM messages WHERE id > ? ORDER BY id LIMIT ?)
     WHERE body <> ''`, // deleted messages (and file-only ones) have nothing to find
  );
  const lastId = db.query<{ id: string | null }, [string, number]>(
    "SELECT max(id) AS id FROM (SELECT id FROM messages WHERE id > ? ORDER BY id LIMIT ?)",
  );
  let done = 0;
  for (let after = ""; ; ) {
    const next = lastId.get(after, 5000)?.id;
    if (!next) return done;
    done += copy.run(after, 5000).changes;
    after = next;
    onProgress(done);
  }
}

const hasSearchRowid = (db: Database) =>
  db.query<{ one: number }, []>("SELECT 1 AS one FROM pragma_table_info('messages') WHERE name = 'search_rowid'").get() !== null;

/**
 * Migration 5. `id` is UNINDEXED in the FTS table, so finding an entry by message id scans the
 * whole index (tens of ms per 100k messages, inside the writer's transaction). Instead each message
 * records the rowid of its entry (`search_rowid`, assigned by the writer), and an edit or deletion
 * replaces the entry by rowid. An edit re-indexes the new body; a deletion (body "", deleted = 1)
 * only removes it, so an erased message leaves nothing in the index. A row without a search_rowid
 * (none after `linkSearchRows`) falls back to the scan.
 */
export const SEARCH_TRIGGERS_V5 = `
DROP TRIGGER IF EXISTS message_search_insert;
CREATE TRIGGER message_search_insert AFTER INSERT ON messages BEGIN
  INSERT INTO message_search (rowid, body, id, room_id, from_id, created_at)
    VALUES (new.search_rowid, new.body, new.id, new.room_id, new.from_id, new.created_at);
END;
DROP TRIGGER IF EXISTS message_search_update;
CREATE TRIGGER message_search_update AFTER UPDATE OF body ON messages BEGIN
  DELETE FROM message_search WHERE rowid = old.search_rowid;
  DELETE FROM message_search WHERE old.search_rowid IS NULL AND id = old.id;
  INSERT INTO message_search (rowid, body, id, room_id, from_id, created_at)
    SELECT new.search_rowid, new.body, new.id, new.room_id, new.from_id, new.created_at WHERE new.deleted = 0 AND new.body <> '';
END;
DROP TRIGGER IF EXISTS message_search_delete;
CREATE TRIGGER message_search_delete AFTER DELETE ON messages BEGIN
  DELETE FROM message_search WHERE rowid = old.search_rowid;
  DELETE FROM message_search WHERE old.search_rowid IS NULL AND id = old.id;
END;
`;

/** Records in each message the rowid of its search entry (one pass over both; migration 5). */
export function linkSearchRows(db: Database): void {
  db.exec(`
CREATE TEMP TABLE search_links (id TEXT PRIMARY KEY, r INTEGER NOT NULL) WITHOUT ROWID;
INSERT OR IGNORE INTO search_links SELECT id, rowid FROM message_search;
UPDATE messages SET search_rowid = (SELECT r FROM search_links WHERE search_links.id = messages.id);
DROP TABLE temp.search_links;
`);
}
