import type { Database } from "bun:sqlite";
import type { ChatMessage } from "../../domain/model.ts";
import type { MessageChangeReader, MessageReader, UnreadCount } from "../../ports/index.ts";
import type { MessageRow } from "./database.ts";
import { MessageStates } from "./message-state.ts";

/**
 * Unread messages are counted up to this many per room (a badge shows "999+"): the count is a
 * range scan, and a user back from a long absence must not cost a full one on every connect.
 * Mentions are counted exactly, from their own index.
 */
export const UNREAD_COUNT_MAX = 1000;

/** The room's newest seq, of a message or of a change. */
export const HEAD_SQL = `SELECT max(s) AS s FROM (
  SELECT max(seq) AS s FROM messages WHERE room_id = ?1 UNION ALL SELECT max(seq) FROM message_changes WHERE room_id = ?1)`;

/**
 * Reads committed messages on the calling thread's own WAL connection (readers never block the
 * writer), in their current state.
 */
export class SqliteMessageReader implements MessageReader, MessageChangeReader {
  private q;
  private states: MessageStates;
  constructor(db: Database) {
    this.states = new MessageStates(db);
    this.q = {
      newest: db.query<MessageRow, [string, number]>("SELECT * FROM messages WHERE room_id = ? ORDER BY seq DESC LIMIT ?"),
      before: db.query<MessageRow, [string, number, number]>(
        "SELECT * FROM messages WHERE room_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?",
      ),
      after: db.query<MessageRow, [string, number, number]>(
        "SELECT * FROM messages WHERE room_id = ? AND seq > ? ORDER BY seq ASC LIMIT ?",
      ),
      byId: db.query<MessageRow, [string, string]>("SELECT * FROM messages WHERE id = ? AND room_id = ?"),
      changed: db.query<MessageRow, [string, number, number]>(
        "SELECT * FROM messages WHERE room_id = ?1 AND rev > ?2 AND seq <= ?2 ORDER BY rev LIMIT ?3",
      ),
      head: db.query<{ s: number | null }, [string]>(HEAD_SQL),
      unread: db.query<{ n: number }, [string, number, string, number]>(
        "SELECT count(*) AS n FROM (SELECT 1 FROM messages WHERE room_id = ? AND seq > ? AND from_id <> ? AND deleted = 0 LIMIT ?)",
      ),
      mentions: db.query<{ n: number }, [string, string, number]>(
        "SELECT count(*) AS n FROM message_mentions WHERE room_id = ? AND user_id = ? AND seq > ?",
      ),
    };
  }

  async before(room: string, before: number | undefined, limit: number) {
    const rows = before === undefined ? this.q.newest.all(room, limit) : this.q.before.all(room, before, limit);
    return this.states.of(rows);
  }
  async after(room: string, afterSeq: number, limit: number) {
    return this.states.of(this.q.after.all(room, afterSeq, limit));
  }
  async latest(rooms: readonly string[]) {
    const out = new Map<string, ChatMessage>();
    for (const room of rooms) {
      const message = this.states.one(this.q.newest.get(room, 1));
      if (message) out.set(room, message);
    }
    return out;
  }

  async byId(room: string, id: string) {
    return this.states.one(this.q.byId.get(id, room));
  }
  async changedAfter(room: string, afterSeq: number, limit: number) {
    return this.states.of(this.q.changed.all(room, afterSeq, limit));
  }
  async unread(userId: string, cursors: ReadonlyMap<string, number>) {
    const out = new Map<string, UnreadCount>();
    for (const [room, cursor] of cursors) {
      out.set(room, {
        lastSeq: this.q.head.get(room)?.s ?? 0,
        messages: this.q.unread.get(room, cursor, userId, UNREAD_COUNT_MAX)?.n ?? 0,
        mentions: this.q.mentions.get(room, userId, cursor)?.n ?? 0,
      });
    }
    return out;
  }
}
