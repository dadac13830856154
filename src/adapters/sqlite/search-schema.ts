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
  const copy = db.query<unknown, [string, number]>(
    `INSERT INTO message_search (body, id, room_id, from_id, created_at)
     SELECT body, id, room_id, from_id, created_at FROM (SELECT * FROM messages WHERE id > ? ORDER BY id LIMIT ?)
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

/**
 * Migration 5: an edit re-indexes the new body; a deletion (body "" and deleted = 1) only removes
 * the entry, so an erased message has nothing left in the index.
 */
export const SEARCH_UPDATE_TRIGGER_V5 = `
DROP TRIGGER IF EXISTS message_search_update;
CREATE TRIGGER message_search_update AFTER UPDATE OF body ON messages BEGIN
  DELETE FROM message_search WHERE id = old.id;
  INSERT INTO message_search (body, id, room_id, from_id, created_at)
    SELECT new.body, new.id, new.room_id, new.from_id, new.created_at WHERE new.deleted = 0 AND new.body <> '';
END;
`;
