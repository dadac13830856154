import type { Collection } from "mongodb";
import type { ChatMessage } from "../../domain/model.ts";
import type { MembershipDoc } from "./collections.ts";
import { KeyedSerial } from "./keyed-serial.ts";

/**
 * Read cursors move forward only ($max). $max is atomic on MongoDB, but FerretDB applies an update
 * as read-then-write, so two concurrent advances of one cursor could move it back: they are
 * serialised per membership in this process (across instances that remains FerretDB's limit).
 */
export class ReadCursors {
  private serial = new KeyedSerial();
  constructor(private memberships: Collection<MembershipDoc>) {}

  /** Returns the cursor after the call; a non-member has no cursor and gets 0, as in SQLite. */
  advance(room: string, user: string, seq: number): Promise<number> {
    return this.serial.run(`${room}\u0000${user}`, async () => {
      const doc = await this.memberships.findOneAndUpdate(
        { room, user },
        { $max: { lastReadSeq: seq } },
        { returnDocument: "after" }, // no projection: FerretDB rejects findAndModify "fields"
      );
      return doc?.lastReadSeq ?? 0;
    });
  }

  /** Your own message counts as read: moves each sender's cursor to their newest of `messages`. */
  async advanceSenders(messages: readonly ChatMessage[]): Promise<void> {
    await Promise.all(newestBySender(messages).map(({ room, user, seq }) => this.advance(room, user, seq)));
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
