import { Database } from "bun:sqlite";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { Attachment, ChatMessage } from "../../domain/model.ts";
import { migrate } from "./migrations.ts";

export type Synchronous = "FULL" | "NORMAL";

/** How every connection to the database is set up; the same on every thread. */
export interface SqliteSettings {
  synchronous: Synchronous;
  /** How long a connection waits for another's write lock before failing with SQLITE_BUSY. */
  busyTimeoutMs: number;
}

/**
 * Opens the database in WAL mode. Each thread opens its own connection to the same file, with the
 * same settings. The connection that opens it first (the main thread, before the writer starts)
 * applies the migrations.
 */
export function openDatabase(path: string, settings: SqliteSettings, applyMigrations = false): Database {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path, { create: true, strict: true });
  db.exec("PRAGMA journal_mode = WAL");
  db.exec(`PRAGMA synchronous = ${settings.synchronous}`);
  db.exec(`PRAGMA busy_timeout = ${Math.trunc(settings.busyTimeoutMs)}`);
  db.exec("PRAGMA foreign_keys = OFF");
  if (applyMigrations) migrate(db);
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
  // Migration 5: the message lifecycle.
  reply_to: string | null;
  /** JSON array of user ids. */
  mentions: string | null;
  /** JSON array of Attachment. */
  attachments: string | null;
  edited_at: number | null;
  deleted: number;
  rev: number | null;
}

/**
 * The stored columns of a message. Its `replyTo` and `reactions` live in other rows: see
 * message-state.ts, which every reader goes through.
 */
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
  if (r.mentions) m.mentions = JSON.parse(r.mentions) as string[];
  if (r.attachments) m.attachments = JSON.parse(r.attachments) as Attachment[];
  if (r.edited_at !== null) m.editedAt = r.edited_at;
  if (r.deleted) m.deleted = true;
  if (r.rev !== null) m.rev = r.rev;
  return m;
}
