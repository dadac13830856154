import type { ChatMessage } from "../domain/model.ts";

/** What a change does to the message it targets. */
export type MessageChange =
  | { kind: "edit"; body: string; mentions: string[] }
  | { kind: "delete" }
  | { kind: "react"; emoji: string }
  | { kind: "unreact"; emoji: string };

/** A change to an existing message, authorised by the domain (author, window, membership) before it reaches the log. */
export interface ChangeDraft {
  room: string;
  messageId: string;
  /** The user making the change. */
  by: string;
  at: number;
  /** Edits only: idempotent on (by, room, clientId) like sends. Reactions and deletions are idempotent by nature. */
  clientId?: string;
  change: MessageChange;
}

export type ChangeResult =
  /** Stored as the room's next event: `seq`, and the message's new state (its `rev` is `seq`). */
  | { status: "applied"; seq: number; message: ChatMessage }
  /**
   * Nothing to change, no seq taken: re-adding a reaction, removing one that is not there,
   * deleting a tombstone, an edit retried with its clientId. `message` is the current state.
   */
  | { status: "noop"; message: ChatMessage }
  /** No such message in the room, or (for edits and reactions) it is deleted. */
  | { status: "not_found" }
  /** A reaction beyond LIMITS.reactionsPerUser distinct emoji of this user on this message. */
  | { status: "limit" };

/**
 * The write side of message changes. Changes share the room's seq with new messages: every
 * applied change is the room's next event, so `resume` and `history` replay them in order.
 * Resolves once the change is durable; applying the same change twice (a replay after a crash)
 * leaves the state of applying it once.
 */
export interface MessageChangeLog {
  change(draft: ChangeDraft): Promise<ChangeResult>;
}

/** Unread counts of one room for one user. */
export interface UnreadCount {
  /** The room's newest seq, of a message or a change (what `resume` continues from). */
  lastSeq: number;
  /** Messages after the user's read cursor, not theirs and not deleted. */
  messages: number;
  /** Of those, the ones that mention the user. */
  mentions: number;
}

/** The read side of message changes. Sees every change `change` has resolved. */
export interface MessageChangeReader {
  /** The message in its current state, or null when the room has no message with that id. */
  byId(room: string, id: string): Promise<ChatMessage | null>;
  /** Messages with seq <= afterSeq whose rev > afterSeq (changed since), current state, ordered by rev. */
  changedAfter(room: string, afterSeq: number, limit: number): Promise<ChatMessage[]>;
  /** Per room of `cursors` (room -> the user's read seq). */
  unread(userId: string, cursors: ReadonlyMap<string, number>): Promise<Map<string, UnreadCount>>;
}
