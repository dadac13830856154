import type { AppendResult, ChatMessage, MessageDraft } from "../domain/model.ts";
import type { Lifecycle } from "./lifecycle.ts";

/**
 * The write side of messages.
 * - `append` assigns the room's next seq (strictly increasing, no gaps) and resolves only once the
 *   message is durable (survives a process crash). Rejection means nothing was accepted.
 * - Idempotent on (from, room, clientId): a retry resolves with the original message and
 *   `duplicate: true`; the same clientId in another room is another message.
 * - Calls for one room may be concurrent; seq order is the order the appends were accepted.
 * - Also advances the sender's read cursor to the new seq (your own message counts as read).
 */
export interface MessageLog extends Lifecycle {
  append(draft: MessageDraft): Promise<AppendResult>;
  /** Messages accepted but not yet in the final store (e.g. parked for retry); for health and metrics. */
  backlog(): Promise<number>;
}

/** The read side of messages. Sees every message `append` has resolved. */
export interface MessageReader extends Lifecycle {
  /** Newest first, seq < before (or the newest when before is undefined). */
  before(room: string, before: number | undefined, limit: number): Promise<ChatMessage[]>;
  /** Oldest first, seq > afterSeq. */
  after(room: string, afterSeq: number, limit: number): Promise<ChatMessage[]>;
  /** The newest message of each room that has one. */
  latest(rooms: readonly string[]): Promise<Map<string, ChatMessage>>;
}
