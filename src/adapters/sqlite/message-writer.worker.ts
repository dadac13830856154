/// <reference lib="webworker" />
/**
 * The single writer of messages and read cursors. Everything that arrives while a transaction
 * commits goes into the next one (group commit): a burst costs one fsync per batch, not per message.
 */
import type { Database } from "bun:sqlite";
import type { AppendResult, ChatMessage, MessageDraft } from "../../domain/model.ts";
import { openDatabase, rowToMessage, type MessageRow } from "./database.ts";
import type { FromWriter, ToWriter, WriteOp, WriteResult } from "./writer-protocol.ts";

declare const self: Worker;
const post = (m: FromWriter) => self.postMessage(m);

let db: Database;
let q: ReturnType<typeof prepare>;
const lastSeq = new Map<string, number>();
let pending: WriteOp[] = [];
let scheduled = false;

function prepare(db: Database) {
  return {
    maxSeq: db.query<{ s: number | null }, [string]>("SELECT max(seq) AS s FROM messages WHERE room_id = ?"),
    byClient: db.query<MessageRow, [string, string, string]>("SELECT * FROM messages WHERE from_id = ? AND room_id = ? AND client_id = ?"),
    insert: db.query<unknown, [string, number, string, string, string, string, string, number, number]>(
      `INSERT INTO messages (room_id, seq, id, from_id, from_name, body, client_id, created_at, incomplete)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    advance: db.query<{ last_read_seq: number }, [number, string, string]>(
      `UPDATE memberships SET last_read_seq = max(last_read_seq, ?) WHERE room_id = ? AND user_id = ?
       RETURNING last_read_seq`,
    ),
  };
}

function nextSeq(room: string): number {
  const s = (lastSeq.get(room) ?? q.maxSeq.get(room)?.s ?? 0) + 1;
  lastSeq.set(room, s);
  return s;
}

function append(d: MessageDraft, inBatch: Map<string, ChatMessage>): AppendResult {
  // Idempotency is per (sender, room, clientId): the same clientId in another room is a new message.
  const key = `${d.from}\u0000${d.room}\u0000${d.clientId}`;
  const seen = inBatch.get(key);
  if (seen) return { message: seen, duplicate: true };
  const existing = q.byClient.get(d.from, d.room, d.clientId);
  if (existing) return { message: rowToMessage(existing), duplicate: true };
  const seq = nextSeq(d.room);
  q.insert.run(d.room, seq, d.id, d.from, d.fromName, d.body, d.clientId, d.createdAt, d.incomplete ? 1 : 0);
  // Your own message counts as read: the sender's newest seq per room, written once per batch.
  ownReads.set(`${d.room}\u0000${d.from}`, seq);
  const message: ChatMessage = {
    id: d.id, room: d.room, seq, from: d.from, fromName: d.fromName, body: d.body, createdAt: d.createdAt, clientId: d.clientId,
  };
  if (d.incomplete) message.incomplete = true;
  inBatch.set(key, message);
  return { message, duplicate: false };
}

const ownReads = new Map<string, number>();

function writeBatch(ops: WriteOp[]): WriteResult[] {
  const inBatch = new Map<string, ChatMessage>();
  ownReads.clear();
  // IMMEDIATE: take the write lock up front. A deferred transaction that read first would fail with
  // SQLITE_BUSY_SNAPSHOT (no busy wait) if the socket thread committed in between.
  return db.transaction(() => {
    const results = ops.map((o): WriteResult =>
      o.op === "append"
        ? { rid: o.rid, ok: true, append: append(o.draft, inBatch) }
        : { rid: o.rid, ok: true, cursor: q.advance.get(o.seq, o.room, o.userId)?.last_read_seq ?? 0 },
    );
    for (const [key, seq] of ownReads) {
      const [room, user] = key.split("\u0000") as [string, string];
      q.advance.get(seq, room, user);
    }
    return results;
  }).immediate();
}

function flush() {
  scheduled = false;
  const ops = pending;
  pending = [];
  if (ops.length === 0) return;
  try {
    post({ kind: "written", results: writeBatch(ops) });
  } catch (err) {
    // Rolled back: forget cached seqs so the next batch re-reads them from disk.
    lastSeq.clear();
    const error = err instanceof Error ? err.message : String(err);
    post({ kind: "written", results: ops.map(({ rid }) => ({ rid, ok: false as const, error })) });
  }
}

self.onmessage = (event: MessageEvent<ToWriter>) => {
  const msg = event.data;
  switch (msg.kind) {
    case "init":
      try {
        db = openDatabase(msg.path, msg.settings);
        q = prepare(db);
        post({ kind: "ready" });
      } catch (err) {
        post({ kind: "fatal", error: err instanceof Error ? err.message : String(err) });
      }
      break;
    case "write":
      for (const op of msg.ops) pending.push(op);
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
      break;
    case "close":
      flush();
      db?.close();
      post({ kind: "closed" });
      break;
  }
};
