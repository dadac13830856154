/// <reference lib="webworker" />
/**
 * The single writer of messages and read cursors. Each batch the socket thread posts is one
 * transaction; the client posts its next batch only once this one has committed, so everything sent
 * meanwhile goes into the next one (group commit): a burst costs one fsync per batch, not per message.
 */
import type { Database } from "bun:sqlite";
import { messageOf, type ChatMessage, type MessageDraft } from "../domain/model.ts";
import type { ChangeDraft, ChangeResult } from "../ports/index.ts";
import { LIMITS } from "../protocol/index.ts";
import { openDatabase, rowToMessage, type MessageRow } from "../adapters/sqlite/database.ts";
import { HEAD_SQL } from "../adapters/sqlite/message-reader.ts";
import { MessageStates } from "../adapters/sqlite/message-state.ts";
import type { FromWriter, ToWriter, WriteOp, WriteResult } from "../adapters/sqlite/writer-protocol.ts";

declare const self: Worker;
const post = (m: FromWriter) => self.postMessage(m);

let db: Database;
let q: ReturnType<typeof prepare>;
let states: MessageStates;
const lastSeq = new Map<string, number>();

function prepare(db: Database) {
  return {
    // Messages and changes share the room's seq.
    maxSeq: db.query<{ s: number | null }, [string]>(HEAD_SQL),
    byClient: db.query<MessageRow, [string, string, string]>("SELECT * FROM messages WHERE from_id = ? AND room_id = ? AND client_id = ?"),
    insert: db.query<unknown, [string, number, string, string, string, string, string, number, number, string | null, string | null, string | null, number]>(
      `INSERT INTO messages (room_id, seq, id, from_id, from_name, body, client_id, created_at, incomplete, reply_to, mentions, attachments, search_rowid)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    mention: db.query<unknown, [string, string, number]>("INSERT OR IGNORE INTO message_mentions (room_id, user_id, seq) VALUES (?, ?, ?)"),
    unmention: db.query<unknown, [string, string, number]>("DELETE FROM message_mentions WHERE room_id = ? AND user_id = ? AND seq = ?"),
    maxSearchRowid: db.query<{ r: number }, []>("SELECT rowid AS r FROM message_search ORDER BY rowid DESC LIMIT 1"),
    byId: db.query<MessageRow, [string, string]>("SELECT * FROM messages WHERE id = ? AND room_id = ?"),
    changeByClient: db.query<{ seq: number }, [string, string, string]>(
      "SELECT seq FROM message_changes WHERE by_id = ? AND room_id = ? AND client_id = ?",
    ),
    recordChange: db.query<unknown, [string, number, string, string, string, string | null, number]>(
      "INSERT INTO message_changes (room_id, seq, message_id, kind, by_id, client_id, at) VALUES (?, ?, ?, ?, ?, ?, ?)",
    ),
    edit: db.query<unknown, [string, string | null, number, number, string]>(
      "UPDATE messages SET body = ?, mentions = ?, edited_at = ?, rev = ? WHERE id = ?",
    ),
    // Erased, not hidden: with secure_delete the old bytes are overwritten too (see `init`).
    erase: db.query<unknown, [number, string]>(
      `UPDATE messages SET body = '', mentions = NULL, attachments = NULL, reply_to = NULL, edited_at = NULL, deleted = 1, rev = ?,
         search_rowid = NULL
       WHERE id = ?`,
    ),
    eraseReactions: db.query<unknown, [string]>("DELETE FROM reactions WHERE message_id = ?"),
    touch: db.query<unknown, [number, string]>("UPDATE messages SET rev = ? WHERE id = ?"),
    hasReaction: db.query<{ one: number }, [string, string, string]>(
      "SELECT 1 AS one FROM reactions WHERE message_id = ? AND user_id = ? AND emoji = ?",
    ),
    reactionsOf: db.query<{ n: number }, [string, string]>("SELECT count(*) AS n FROM reactions WHERE message_id = ? AND user_id = ?"),
    addReaction: db.query<unknown, [string, string, string, string, number, number]>(
      "INSERT INTO reactions (message_id, user_id, emoji, room_id, seq, at) VALUES (?, ?, ?, ?, ?, ?)",
    ),
    removeReaction: db.query<unknown, [string, string, string]>("DELETE FROM reactions WHERE message_id = ? AND user_id = ? AND emoji = ?"),
    advance: db.query<{ last_read_seq: number }, [number, string, string]>(
      `UPDATE memberships SET last_read_seq = max(last_read_seq, ?) WHERE room_id = ? AND user_id = ?
       RETURNING last_read_seq`,
    ),
  };
}

/** The last search entry rowid handed out (search-schema.ts: a message's entry is found by it). */
let lastSearchRowid: number | null = null;
function nextSearchRowid(): number {
  lastSearchRowid = (lastSearchRowid ?? q.maxSearchRowid.get()?.r ?? 0) + 1;
  return lastSearchRowid;
}

function nextSeq(room: string): number {
  const s = (lastSeq.get(room) ?? q.maxSeq.get(room)?.s ?? 0) + 1;
  lastSeq.set(room, s);
  return s;
}

/** A new message's seq, or the stored original when (sender, room, clientId) was seen already. */
function append(d: MessageDraft, inBatch: Map<string, ChatMessage>): { seq: number } | { duplicate: ChatMessage } {
  // Idempotency is per (sender, room, clientId): the same clientId in another room is a new message.
  const key = `${d.from}\u0000${d.room}\u0000${d.clientId}`;
  const seen = inBatch.get(key);
  if (seen) return { duplicate: seen };
  const existing = q.byClient.get(d.from, d.room, d.clientId);
  if (existing) return { duplicate: rowToMessage(existing) };
  const seq = nextSeq(d.room);
  const json = (v: unknown[] | undefined) => (v?.length ? JSON.stringify(v) : null);
  q.insert.run(d.room, seq, d.id, d.from, d.fromName, d.body, d.clientId, d.createdAt, d.incomplete ? 1 : 0, d.replyTo ?? null, json(d.mentions), json(d.attachments), nextSearchRowid());
  if (d.mentions?.length) indexMentions(d.room, seq, d.from, d.mentions, "add");
  // Your own message counts as read: the sender's newest seq per room, written once per batch.
  ownReads.set(`${d.room}\u0000${d.from}`, seq);
  inBatch.set(key, messageOf(d, seq));
  return { seq };
}

/**
 * The mention index (room, user, seq) behind the unread summary's exact `mentions` count. A user
 * mentioning themselves is not indexed: their own messages are never unread.
 */
function indexMentions(room: string, seq: number, author: string, users: readonly string[], op: "add" | "remove") {
  for (const user of users) if (user !== author) (op === "add" ? q.mention : q.unmention).run(room, user, seq);
}
const mentionsOf = (row: MessageRow): string[] => (row.mentions ? (JSON.parse(row.mentions) as string[]) : []);

const ownReads = new Map<string, number>();
/** A batch erased a body: checkpoint so its old bytes leave the WAL file too. */
let erased = false;

/**
 * One change, applied at most once: whatever was applied already (a retry after a crash or a lost
 * answer) is found in the state and answered as a no-op, without a seq.
 */
function change(d: ChangeDraft): ChangeResult {
  const row = q.byId.get(d.messageId, d.room);
  if (!row) return { status: "not_found" };
  const c = d.change;
  const noop = (): ChangeResult => ({ status: "noop", message: states.one(row)! });
  if (row.deleted) return c.kind === "delete" ? noop() : { status: "not_found" };
  if (c.kind === "edit" && d.clientId && q.changeByClient.get(d.by, d.room, d.clientId)) return noop();
  if (c.kind === "react" || c.kind === "unreact") {
    const has = q.hasReaction.get(d.messageId, d.by, c.emoji) !== null;
    if (has === (c.kind === "react")) return noop();
    if (c.kind === "react" && (q.reactionsOf.get(d.messageId, d.by)?.n ?? 0) >= LIMITS.reactionsPerUser) return { status: "limit" };
  }
  const seq = nextSeq(d.room);
  switch (c.kind) {
    case "edit":
      q.edit.run(c.body, c.mentions.length ? JSON.stringify(c.mentions) : null, d.at, seq, d.messageId);
      indexMentions(d.room, row.seq, row.from_id, mentionsOf(row), "remove");
      indexMentions(d.room, row.seq, row.from_id, c.mentions, "add");
      break;
    case "delete":
      q.erase.run(seq, d.messageId);
      indexMentions(d.room, row.seq, row.from_id, mentionsOf(row), "remove");
      q.eraseReactions.run(d.messageId);
      erased = true;
      break;
    case "react":
      q.addReaction.run(d.messageId, d.by, c.emoji, d.room, seq, d.at);
      q.touch.run(seq, d.messageId);
      break;
    case "unreact":
      q.removeReaction.run(d.messageId, d.by, c.emoji);
      q.touch.run(seq, d.messageId);
      break;
  }
  q.recordChange.run(d.room, seq, d.messageId, c.kind, d.by, c.kind === "edit" ? (d.clientId ?? null) : null, d.at);
  return { status: "applied", seq, message: states.one(q.byId.get(d.messageId, d.room))! };
}

function apply(o: WriteOp): WriteResult {
  switch (o.op) {
    case "append":
      return { rid: o.rid, ok: true, ...append(o.draft, inBatch) };
    case "read":
      return { rid: o.rid, ok: true, cursor: q.advance.get(o.seq, o.room, o.userId)?.last_read_seq ?? 0 };
    case "change":
      return { rid: o.rid, ok: true, change: change(o.draft) };
  }
}

const inBatch = new Map<string, ChatMessage>();

function writeBatch(ops: WriteOp[]): WriteResult[] {
  inBatch.clear();
  ownReads.clear();
  erased = false;
  // IMMEDIATE: take the write lock up front. A deferred transaction that read first would fail with
  // SQLITE_BUSY_SNAPSHOT (no busy wait) if the socket thread committed in between.
  return db.transaction(() => {
    const results = ops.map(apply);
    for (const [key, seq] of ownReads) {
      const [room, user] = key.split("\u0000") as [string, string];
      q.advance.get(seq, room, user);
    }
    return results;
  }).immediate();
}

function write(batch: string) {
  const ops = JSON.parse(batch) as WriteOp[];
  let results: WriteResult[];
  try {
    results = writeBatch(ops);
  } catch (err) {
    // Rolled back: forget cached seqs so the next batch re-reads them from disk.
    lastSeq.clear();
    lastSearchRowid = null;
    const error = err instanceof Error ? err.message : String(err);
    results = ops.map(({ rid }) => ({ rid, ok: false as const, error }));
  }
  post({ kind: "written", results: JSON.stringify(results) });
  if (erased) checkpoint();
}

/**
 * After an erasing batch is answered: copies the WAL into the database file and empties it, so
 * the erased body's old page images leave the WAL too. Best effort: a reader holding an old
 * snapshot makes it partial, and the next erasing batch (or SQLite's own checkpoints) finishes it.
 */
function checkpoint() {
  try {
    db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  } catch {
    // busy: see above
  }
}

self.onmessage = (event: MessageEvent<ToWriter>) => {
  const msg = event.data;
  switch (msg.kind) {
    case "init":
      try {
        db = openDatabase(msg.path, msg.settings);
        // Deleted messages are erased from the file, not just unlinked: freed bytes are zeroed.
        db.exec("PRAGMA secure_delete = ON");
        q = prepare(db);
        states = new MessageStates(db);
        post({ kind: "ready" });
      } catch (err) {
        post({ kind: "fatal", error: err instanceof Error ? err.message : String(err) });
      }
      break;
    case "write":
      write(msg.ops);
      break;
    case "close":
      db?.close();
      post({ kind: "closed" });
      break;
  }
};
