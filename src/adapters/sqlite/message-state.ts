import type { Database } from "bun:sqlite";
import { replyRefOf } from "../../domain/mentions.ts";
import type { ChatMessage } from "../../domain/model.ts";
import type { Reaction } from "../../protocol/index.ts";
import { rowToMessage, type MessageRow } from "./database.ts";

/**
 * Messages as clients see them now: the stored row plus what lives in other rows, resolved at read
 * time — reactions aggregated per emoji (first reactor first) and the ReplyRef of the answered
 * message (its snippet follows edits and deletion). Shared by the readers and the writer worker,
 * each on its own connection.
 */
export class MessageStates {
  private q;
  constructor(db: Database) {
    this.q = {
      reactions: db.query<{ message_id: string; emoji: string; user_id: string }, [string]>(
        "SELECT message_id, emoji, user_id FROM reactions WHERE message_id IN (SELECT value FROM json_each(?)) ORDER BY seq",
      ),
      byIds: db.query<MessageRow, [string]>("SELECT * FROM messages WHERE id IN (SELECT value FROM json_each(?))"),
    };
  }

  of(rows: readonly MessageRow[]): ChatMessage[] {
    const messages = rows.map(rowToMessage);
    // Only a message that was ever changed can carry reactions; plain history pays no second query.
    const changed = messages.filter((m) => m.rev !== undefined && !m.deleted).map((m) => m.id);
    if (changed.length) {
      const byMessage = new Map<string, Map<string, string[]>>();
      for (const r of this.q.reactions.all(JSON.stringify(changed))) {
        let emojis = byMessage.get(r.message_id);
        if (!emojis) byMessage.set(r.message_id, (emojis = new Map()));
        const users = emojis.get(r.emoji);
        if (users) users.push(r.user_id);
        else emojis.set(r.emoji, [r.user_id]);
      }
      for (const m of messages) {
        const emojis = byMessage.get(m.id);
        if (emojis) m.reactions = [...emojis].map(([emoji, users]): Reaction => ({ emoji, users }));
      }
    }
    const replies = rows.filter((r) => r.reply_to !== null && !r.deleted);
    if (replies.length) {
      const targets = new Map(this.q.byIds.all(JSON.stringify([...new Set(replies.map((r) => r.reply_to))])).map((t) => [t.id, rowToMessage(t)]));
      rows.forEach((r, i) => {
        const target = r.reply_to === null ? undefined : targets.get(r.reply_to);
        if (target && !r.deleted) messages[i]!.replyTo = replyRefOf(target);
      });
    }
    return messages;
  }

  one(row: MessageRow | null): ChatMessage | null {
    return row ? this.of([row])[0]! : null;
  }
}
