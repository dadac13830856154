import type { Database } from "bun:sqlite";
import type { ChatMessage } from "../../domain/model.ts";
import type { MessageReader } from "../../ports/index.ts";
import { rowToMessage, type MessageRow } from "./database.ts";

/** Reads committed messages on the calling thread's own WAL connection (readers never block the writer). */
export class SqliteMessageReader implements MessageReader {
  private q;
  constructor(db: Database) {
    this.q = {
      newest: db.query<MessageRow, [string, number]>("SELECT * FROM messages WHERE room_id = ? ORDER BY seq DESC LIMIT ?"),
      before: db.query<MessageRow, [string, number, number]>(
        "SELECT * FROM messages WHERE room_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?",
      ),
      after: db.query<MessageRow, [string, number, number]>(
        "SELECT * FROM messages WHERE room_id = ? AND seq > ? ORDER BY seq ASC LIMIT ?",
      ),
    };
  }

  async before(room: string, before: number | undefined, limit: number) {
    const rows = before === undefined ? this.q.newest.all(room, limit) : this.q.before.all(room, before, limit);
    return rows.map(rowToMessage);
  }
  async after(room: string, afterSeq: number, limit: number) {
    return this.q.after.all(room, afterSeq, limit).map(rowToMessage);
  }
  async latest(rooms: readonly string[]) {
    const out = new Map<string, ChatMessage>();
    for (const room of rooms) {
      const row = this.q.newest.get(room, 1);
      if (row) out.set(room, rowToMessage(row));
    }
    return out;
  }
}
