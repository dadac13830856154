import type { Database } from "bun:sqlite";
import { linkSearchRows, rebuildSearch, SEARCH_SCHEMA, SEARCH_TRIGGERS_V5 } from "./search-schema.ts";
import { UPLOADS_SCHEMA } from "./upload-schema.ts";

/**
 * The SQLite schema as an ordered list of migrations. `PRAGMA user_version` records the last one
 * applied; opening a database applies the rest in order, each in its own transaction, so a
 * database made by any earlier release upgrades in place. Add a migration by appending to the
 * list with the next version; never edit one that has shipped.
 */
export interface Migration {
  version: number;
  name: string;
  /** DDL, or a step that also moves data (it runs inside the migration's transaction). */
  up: string | ((db: Database) => void);
}

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    // Releases before versioned migrations created exactly this with user_version 0; IF NOT EXISTS
    // makes it a no-op on such a database, which then continues from version 2.
    name: "initial schema",
    up: `
CREATE TABLE IF NOT EXISTS users (
  id TEXT PRIMARY KEY, username TEXT NOT NULL UNIQUE, password_hash TEXT NOT NULL,
  created_at INTEGER NOT NULL, last_seen INTEGER
);
CREATE TABLE IF NOT EXISTS sessions (
  id TEXT PRIMARY KEY, user_id TEXT NOT NULL, created_at INTEGER NOT NULL, revoked_at INTEGER
);
CREATE TABLE IF NOT EXISTS refresh_tokens (
  jti TEXT PRIMARY KEY, session_id TEXT NOT NULL, expires_at INTEGER NOT NULL, used_at INTEGER
);
CREATE TABLE IF NOT EXISTS friend_requests (
  from_id TEXT NOT NULL, to_id TEXT NOT NULL, created_at INTEGER NOT NULL, PRIMARY KEY (from_id, to_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS friend_requests_to ON friend_requests (to_id);
-- Both directions are stored so listing a user's friends is one index range.
CREATE TABLE IF NOT EXISTS friendships (
  user_id TEXT NOT NULL, friend_id TEXT NOT NULL, created_at INTEGER NOT NULL, PRIMARY KEY (user_id, friend_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS rooms (
  id TEXT PRIMARY KEY, kind TEXT NOT NULL, name TEXT NOT NULL, created_by TEXT, created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS memberships (
  room_id TEXT NOT NULL, user_id TEXT NOT NULL, joined_at INTEGER NOT NULL, last_read_seq INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (room_id, user_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS memberships_user ON memberships (user_id);
CREATE TABLE IF NOT EXISTS messages (
  room_id TEXT NOT NULL, seq INTEGER NOT NULL, id TEXT NOT NULL UNIQUE, from_id TEXT NOT NULL,
  from_name TEXT NOT NULL, body TEXT NOT NULL, client_id TEXT NOT NULL, created_at INTEGER NOT NULL,
  incomplete INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (room_id, seq)
) WITHOUT ROWID;
CREATE UNIQUE INDEX IF NOT EXISTS messages_client ON messages (from_id, client_id);
`,
  },
  {
    version: 2,
    // A clientId is unique per sender and room: the same id reused in another room is a new message.
    name: "idempotency per (sender, room, clientId)",
    up: `
CREATE UNIQUE INDEX messages_sender_room_client ON messages (from_id, room_id, client_id);
DROP INDEX IF EXISTS messages_client;
`,
  },
  {
    version: 3,
    // Counting the groups a user created (the groups-per-user cap) without a scan.
    name: "rooms by creator",
    up: "CREATE INDEX rooms_created_by ON rooms (created_by, kind);",
  },
  {
    version: 4,
    // Databases that had the search table before it was a migration get it re-indexed once, harmlessly.
    name: "message search (FTS5 trigram) over the messages already stored",
    up: (db) => {
      db.exec(SEARCH_SCHEMA);
      rebuildSearch(db);
    },
  },
  {
    version: 5,
    // Messages are stored in their current state; every change takes the room's next seq (the
    // writer counts message_changes too), recorded as the message's rev. Reactions are rows so a
    // toggle is idempotent by primary key; an edit's clientId is unique like a send's.
    name: "message lifecycle: replies, mentions, attachments, edits, deletions, reactions",
    up: (db) => {
      db.exec(`
ALTER TABLE messages ADD COLUMN reply_to TEXT;
ALTER TABLE messages ADD COLUMN mentions TEXT;
ALTER TABLE messages ADD COLUMN attachments TEXT;
ALTER TABLE messages ADD COLUMN edited_at INTEGER;
ALTER TABLE messages ADD COLUMN deleted INTEGER NOT NULL DEFAULT 0;
ALTER TABLE messages ADD COLUMN rev INTEGER;
ALTER TABLE messages ADD COLUMN search_rowid INTEGER;
CREATE INDEX messages_changed ON messages (room_id, rev) WHERE rev IS NOT NULL;
CREATE TABLE reactions (
  message_id TEXT NOT NULL, user_id TEXT NOT NULL, emoji TEXT NOT NULL, room_id TEXT NOT NULL,
  seq INTEGER NOT NULL, at INTEGER NOT NULL,
  PRIMARY KEY (message_id, user_id, emoji)
) WITHOUT ROWID;
CREATE TABLE message_changes (
  room_id TEXT NOT NULL, seq INTEGER NOT NULL, message_id TEXT NOT NULL, kind TEXT NOT NULL,
  by_id TEXT NOT NULL, client_id TEXT, at INTEGER NOT NULL,
  PRIMARY KEY (room_id, seq)
) WITHOUT ROWID;
CREATE UNIQUE INDEX message_changes_client ON message_changes (by_id, room_id, client_id) WHERE client_id IS NOT NULL;
-- Who is mentioned where (not by themselves), for exact mention counts without reading messages.
CREATE TABLE message_mentions (
  room_id TEXT NOT NULL, user_id TEXT NOT NULL, seq INTEGER NOT NULL,
  PRIMARY KEY (room_id, user_id, seq)
) WITHOUT ROWID;
${SEARCH_TRIGGERS_V5}
`);
      linkSearchRows(db);
    },
  },
  { version: 6, name: "uploaded files", up: UPLOADS_SCHEMA },
];

export const schemaVersion = (db: Database): number =>
  db.query<{ user_version: number }, []>("PRAGMA user_version").get()?.user_version ?? 0;

/**
 * Applies the migrations newer than the database, in order. Each runs with its version bump in one
 * IMMEDIATE transaction: a crash leaves the database at the previous version, and two processes
 * opening it at once apply each migration once. Refuses a database from a newer release.
 */
export function migrate(db: Database, migrations: readonly Migration[] = MIGRATIONS): number {
  const latest = migrations.at(-1)?.version ?? 0;
  if (schemaVersion(db) > latest) {
    throw new Error(`database schema version ${schemaVersion(db)} is newer than this release (${latest}): refusing to open it`);
  }
  for (const m of migrations) {
    db.transaction(() => {
      if (schemaVersion(db) >= m.version) return; // re-read under the write lock
      if (typeof m.up === "string") db.exec(m.up);
      else m.up(db);
      db.exec(`PRAGMA user_version = ${m.version}`);
    }).immediate();
  }
  return schemaVersion(db);
}
