/// <reference lib="webworker" />
/**
 * The single writer of messages and read cursors. Each batch the socket thread posts is one
 * transaction; the client posts its next batch only once this one has committed, so everything sent
 * meanwhile goes into the next one (group commit): a burst costs one fsync per batch, not per message.
 */
import type { Database } from "bun:sqlite";
import { messageOf, type ChatMessage, type MessageDraft } from "../../domain/model.ts";
import { openDatabase, rowToMessage, type MessageRow } from "./database.ts";
import type { FromWriter, ToWriter, WriteOp, WriteResult } from "./writer-protocol.ts";

declare const self: Worker;
const post = (m: FromWriter) => self.postMessage(m);

let db: Database;
let q: ReturnType<typeof prepare>;
const lastSeq = new Map<string, number>();

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

/** A new message's seq, or the stored original when (sender, room, clientId) was seen already. */
function append(d: MessageDraft, inBatch: Map<string, ChatMessage>): { seq: number } | { duplicate: ChatMessage } {
  // Idempotency is per (sender, room, clientId): the same clientId in another room is a new message.
  const key = `${d.from}\u0000${d.room}\u0000${d.clientId}`;
  const seen = inBatch.get(key);
  if (seen) return { duplicate: seen };
  const existing = q.byClient.get(d.from, d.room, d.clientId);
  if (existing) return { duplicate: rowToMessage(existing) };
  const seq = nextSeq(d.room);
  q.insert.run(d.room, seq, d.id, d.from, d.fromName, d.body, d.clientId, d.createdAt, d.incomplete ? 1 : 0);
  // Your own message counts as read: the sender's newest seq per room, written once per batch.
  ownReads.set(`${d.room}\u0000${d.from}`, seq);
  inBatch.set(key, messageOf(d, seq));
  return { seq };
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
        ? { rid: o.rid, ok: true, ...append(o.draft, inBatch) }
        : { rid: o.rid, ok: true, cursor: q.advance.get(o.seq, o.room, o.userId)?.last_read_seq ?? 0 },
    );
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
    const error = err instanceof Error ? err.message : String(err);
    results = ops.map(({ rid }) => ({ rid, ok: false as const, error }));
  }
  post({ kind: "written", results: JSON.stringify(results) });
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
      write(msg.ops);
      break;
    case "close":
      db?.close();
      post({ kind: "closed" });
      break;
  }
};
