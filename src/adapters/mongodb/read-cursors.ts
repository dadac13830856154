import type { Collection, ObjectId } from "mongodb";
import type { ChatMessage } from "../../domain/model.ts";
import type { MembershipDoc } from "./collections.ts";

/**
 * Cursor moves per update command. FerretDB 1.24 holds a backend connection for every statement of
 * an update command until the command ends, so a command of as many statements as its pool has
 * connections never answers and holds them all (measured: SQLite handler, pool 100: 99 statements
 * complete, 100 hang for good; PostgreSQL handler, pool 50: 40 complete, 50 hang). Small commands
 * leave room for the other processes' commands in flight at the same time.
 */
export const MAX_UPDATES_PER_COMMAND = 20;
/** Cursor moves per ReadCursors batch: one read-back query each (the writer splits the updates). */
const MAX_PER_BATCH = 100;
/** Membership ids remembered by a CursorWriter (the oldest are forgotten first). */
const MAX_CACHED_IDS = 100_000;

export interface CursorMove {
  room: string;
  user: string;
  seq: number;
}
export const cursorKey = (m: { room: string; user: string }) => `${m.room}\u0000${m.user}`;

/**
 * Moves read cursors forward ($max), addressing each membership by its _id. FerretDB's SQLite
 * handler pushes only _id filters down to SQL: an update by (room, user) reads every membership
 * (≈ 10× slower per statement with 400 memberships, and growing with them; see
 * docs/durable-scale-out.md). So the ids are looked up once (one query for a whole batch) and kept.
 * A stale id (the membership was removed, maybe re-added under a new id) matches nothing; the
 * writer sees fewer matches than moves, looks that chunk up again and repeats it ($max makes a
 * repeat harmless). A pair that is not a membership is not written, as an update would not match.
 */
export class CursorWriter {
  private ids = new Map<string, ObjectId>();
  constructor(private memberships: Collection<MembershipDoc>) {}

  async move(moves: readonly CursorMove[]): Promise<void> {
    for (let i = 0; i < moves.length; i += MAX_UPDATES_PER_COMMAND) {
      const chunk = moves.slice(i, i + MAX_UPDATES_PER_COMMAND);
      await this.lookUp(chunk.filter((m) => !this.ids.has(cursorKey(m))));
      if ((await this.write(chunk)) === "stale ids") {
        for (const m of chunk) this.ids.delete(cursorKey(m));
        await this.lookUp(chunk);
        await this.write(chunk);
      }
    }
  }

  private async write(chunk: readonly CursorMove[]): Promise<"done" | "stale ids"> {
    const ops = chunk.flatMap((m) => {
      const _id = this.ids.get(cursorKey(m));
      return _id ? [{ updateOne: { filter: { _id }, update: { $max: { lastReadSeq: m.seq } } } }] : [];
    });
    if (ops.length === 0) return "done";
    const res = await this.memberships.bulkWrite(ops, { ordered: false });
    return res.matchedCount < ops.length ? "stale ids" : "done";
  }

  private async lookUp(moves: readonly CursorMove[]) {
    if (moves.length === 0) return;
    const docs = await this.memberships
      .find(
        { room: { $in: [...new Set(moves.map((m) => m.room))] }, user: { $in: [...new Set(moves.map((m) => m.user))] } },
        { projection: { _id: 1, room: 1, user: 1 } },
      )
      .toArray();
    for (const d of docs) this.ids.set(cursorKey(d), d._id);
    for (const oldest of this.ids.keys()) {
      if (this.ids.size <= MAX_CACHED_IDS) break;
      this.ids.delete(oldest);
    }
  }
}

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
  private writer: CursorWriter;
  constructor(private memberships: Collection<MembershipDoc>) {
    this.writer = new CursorWriter(memberships);
  }

  /** Resolves with the cursor after the move; a non-member has no cursor and gets 0, as in SQLite. */
  advance(room: string, user: string, seq: number): Promise<number> {
    const key = cursorKey({ room, user });
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
        for (const p of batch) this.pending.delete(cursorKey(p));
        try {
          const cursors = await this.write(batch);
          for (const p of batch) for (const w of p.waiters) w.resolve(cursors.get(cursorKey(p)) ?? 0);
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
    await this.writer.move(batch.map((p) => ({ room: p.room, user: p.user, seq: p.target })));
    const rooms = [...new Set(batch.map((p) => p.room))];
    const users = [...new Set(batch.map((p) => p.user))];
    const docs = await this.memberships
      .find({ room: { $in: rooms }, user: { $in: users } }, { projection: { room: 1, user: 1, lastReadSeq: 1 } })
      .toArray();
    return new Map(docs.map((d) => [cursorKey(d), d.lastReadSeq]));
  }
}

/** The highest seq of each (room, sender) among `messages`. */
export function newestBySender(messages: readonly ChatMessage[]): CursorMove[] {
  const newest = new Map<string, CursorMove>();
  for (const m of messages) {
    const key = cursorKey({ room: m.room, user: m.from });
    const seen = newest.get(key);
    if (!seen || seen.seq < m.seq) newest.set(key, { room: m.room, user: m.from, seq: m.seq });
  }
  return [...newest.values()];
}
