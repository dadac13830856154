import type { Collection } from "mongodb";
import type { ChatMessage } from "../../domain/model.ts";
import type { MembershipDoc } from "./collections.ts";

/** Cursor moves per command, as for message writes (FerretDB struggles with large commands). */
const MAX_PER_BATCH = 100;

interface Pending {
  room: string;
  user: string;
  target: number;
  waiters: { resolve: (cursor: number) => void; reject: (err: unknown) => void }[];
}

/**
 * Read cursors move forward only ($max). Every `read` frame moves one, so they are coalesced: moves
 * that arrive while a batch is being written go out together in the next one (one bulk update and
 * one read-back per batch, not two round trips per frame), and moves of the same cursor merge.
 * One batch at a time per process: $max is atomic on MongoDB, but FerretDB applies an update as
 * read-then-write, so two concurrent moves of one cursor could move it back (across instances that
 * remains FerretDB's limit). Never findAndModify: FerretDB's keeps its query's rows (an SQLite
 * connection) open while it waits for a second connection to update, and a burst of read frames
 * then holds every pooled connection and the store stops answering anyone (issue 13).
 */
export class ReadCursors {
  private pending = new Map<string, Pending>();
  private flushing = false;
  constructor(private memberships: Collection<MembershipDoc>) {}

  /** Resolves with the cursor after the move; a non-member has no cursor and gets 0, as in SQLite. */
  advance(room: string, user: string, seq: number): Promise<number> {
    const key = `${room}\u0000${user}`;
    let p = this.pending.get(key);
    if (!p) {
      p = { room, user, target: seq, waiters: [] };
      this.pending.set(key, p);
    }
    p.target = Math.max(p.target, seq);
    const slot = p;
    const done = new Promise<number>((resolve, reject) => slot.waiters.push({ resolve, reject }));
    if (!this.flushing) void this.flush();
    return done;
  }

  /** Your own message counts as read: moves each sender's cursor to their newest of `messages`. */
  async advanceSenders(messages: readonly ChatMessage[]): Promise<void> {
    await Promise.all(newestBySender(messages).map(({ room, user, seq }) => this.advance(room, user, seq)));
  }

  private async flush() {
    this.flushing = true;
    try {
      while (this.pending.size > 0) {
        const batch = [...this.pending.values()].slice(0, MAX_PER_BATCH);
        for (const p of batch) this.pending.delete(`${p.room}\u0000${p.user}`);
        try {
          const cursors = await this.write(batch);
          for (const p of batch) for (const w of p.waiters) w.resolve(cursors.get(`${p.room}\u0000${p.user}`) ?? 0);
        } catch (err) {
          for (const p of batch) for (const w of p.waiters) w.reject(err);
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  /** Moves the batch's cursors, then reads them back (a missing membership reads as no cursor). */
  private async write(batch: Pending[]): Promise<Map<string, number>> {
    await this.memberships.bulkWrite(
      batch.map((p) => ({ updateOne: { filter: { room: p.room, user: p.user }, update: { $max: { lastReadSeq: p.target } } } })),
      { ordered: false },
    );
    const rooms = [...new Set(batch.map((p) => p.room))];
    const users = [...new Set(batch.map((p) => p.user))];
    const docs = await this.memberships
      .find({ room: { $in: rooms }, user: { $in: users } }, { projection: { room: 1, user: 1, lastReadSeq: 1 } })
      .toArray();
    return new Map(docs.map((d) => [`${d.room}\u0000${d.user}`, d.lastReadSeq]));
  }
}

/** The highest seq of each (room, sender) among `messages`. */
export function newestBySender(messages: readonly ChatMessage[]): { room: string; user: string; seq: number }[] {
  const newest = new Map<string, { room: string; user: string; seq: number }>();
  for (const m of messages) {
    const key = `${m.room}\u0000${m.from}`;
    const seen = newest.get(key);
    if (!seen || seen.seq < m.seq) newest.set(key, { room: m.room, user: m.from, seq: m.seq });
  }
  return [...newest.values()];
}
