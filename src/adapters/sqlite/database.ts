import { Database } from "bun:sqlite";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { ChatMessage } from "../../domain/model.ts";

export type Synchronous = "FULL" | "NORMAL";

const SCHEMA = `
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
`;

/** Opens the database in WAL mode. Each thread opens its own connection to the same file. */
export function openDatabase(path: string, synchronous: Synchronous, migrate = false): Database {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path, { create: true, strict: true });
  db.exec("PRAGMA journal_mode = WAL");
  db.exec(`PRAGMA synchronous = ${synchronous}`);
  db.exec("PRAGMA busy_timeout = 5000");
  db.exec("PRAGMA foreign_keys = OFF");
  if (migrate) db.exec(SCHEMA);
  return db;
}

export interface MessageRow {
  room_id: string;
  seq: number;
  id: string;
  from_id: string;
  from_name: string;
  body: string;
  client_id: string;
  created_at: number;
  incomplete: number;
}

export function rowToMessage(r: MessageRow): ChatMessage {
  const m: ChatMessage = {
    id: r.id,
    room: r.room_id,
    seq: r.seq,
    from: r.from_id,
    fromName: r.from_name,
    body: r.body,
    createdAt: r.created_at,
    clientId: r.client_id,
  };
  if (r.incomplete) m.incomplete = true;
  return m;
}
