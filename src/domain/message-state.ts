import type { MessageChange } from "../ports/index.ts";
import { LIMITS } from "../protocol/index.ts";
import { replyRefOf } from "./mentions.ts";
import { messageOf, type ChatMessage, type MessageDraft } from "./model.ts";

/** How current a state of a message is: the seq of its last change, or its own seq while it has none. */
export const revOf = (m: ChatMessage): number => m.rev ?? m.seq;

/** Per message id, its most current state among `messages` (first-seen order of ids). */
export function newestStates(messages: readonly ChatMessage[]): ChatMessage[] {
  const byId = new Map<string, ChatMessage>();
  for (const m of messages) {
    const seen = byId.get(m.id);
    if (!seen || revOf(seen) < revOf(m)) byId.set(m.id, m);
  }
  return [...byId.values()];
}

/**
 * A message as a store keeps it: the id of the message it answers instead of a ReplyRef, which
 * readers resolve from that message as it is now (so a quote follows edits and deletion and a
 * deleted body never survives in a copy).
 */
export type StoredMessage = ChatMessage & { replyToId?: string };

/**
 * Sets each reply's `replyTo` from its target's state in `targets(ids)`; a reply whose target the
 * lookup does not know keeps the ReplyRef it has (resolved by an earlier reader) or gets none. A
 * tombstone answers nothing. The results carry no `replyToId`.
 */
export async function withReplies(messages: readonly StoredMessage[], targets: (ids: string[]) => Promise<Map<string, ChatMessage>>): Promise<ChatMessage[]> {
  const targetOf = (m: StoredMessage) => (m.deleted ? undefined : (m.replyToId ?? m.replyTo?.id));
  const ids = [...new Set(messages.map(targetOf).filter((id): id is string => id !== undefined))];
  const found = ids.length ? await targets(ids) : new Map<string, ChatMessage>();
  return messages.map((stored) => {
    const { replyToId: _, ...m } = stored;
    const id = targetOf(stored);
    const target = id === undefined ? undefined : found.get(id);
    if (target) m.replyTo = replyRefOf(target);
    else if (id === undefined || !m.replyTo) delete m.replyTo;
    return m;
  });
}

/** What a store keeps of a new message: the message a draft becomes, with the id of the one it answers. */
export function storedOf(d: MessageDraft, seq: number): StoredMessage {
  const m: StoredMessage = messageOf(d, seq);
  if (d.replyTo) m.replyToId = d.replyTo;
  return m;
}

/** The message without the store's reply id (where a reply needs no ReplyRef, e.g. an ack). */
export const withoutReplyId = ({ replyToId: _, ...m }: StoredMessage): ChatMessage => m;

/** What a change does to a message's state, before it has a seq (the same rules the Redis script applies). */
export type Decision = { status: "apply"; state: StoredMessage } | { status: "noop" } | { status: "not_found" } | { status: "limit" };

/**
 * Decides `change` by `by` on `m` (its current state): a tombstone takes no edit or reaction and a
 * second delete is a no-op; re-adding a reaction or removing one that is not there is a no-op; a
 * user has at most LIMITS.reactionsPerUser distinct emoji on a message. The state returned has no
 * rev yet.
 */
export function decideChange(m: StoredMessage, change: MessageChange, by: string, at: number): Decision {
  if (m.deleted) return change.kind === "delete" ? { status: "noop" } : { status: "not_found" };
  if (change.kind === "delete") {
    const { id, room, seq, from, fromName, createdAt, clientId } = m;
    return { status: "apply", state: { id, room, seq, from, fromName, body: "", createdAt, clientId, deleted: true } };
  }
  if (change.kind === "edit") {
    const { mentions: _, ...rest } = m;
    const state: StoredMessage = { ...rest, body: change.body, editedAt: at };
    if (change.mentions.length) state.mentions = [...new Set(change.mentions)];
    return { status: "apply", state };
  }
  const reactions = (m.reactions ?? []).map((r) => ({ emoji: r.emoji, users: [...r.users] }));
  const mine = reactions.filter((r) => r.users.includes(by)).length;
  const same = reactions.find((r) => r.emoji === change.emoji);
  const has = same?.users.includes(by) ?? false;
  if (change.kind === "react") {
    if (has) return { status: "noop" };
    if (mine >= LIMITS.reactionsPerUser) return { status: "limit" };
    if (same) same.users.push(by);
    else reactions.push({ emoji: change.emoji, users: [by] });
  } else {
    if (!has) return { status: "noop" };
    same!.users = same!.users.filter((u) => u !== by);
  }
  const { reactions: _, ...rest } = m;
  const left = reactions.filter((r) => r.users.length > 0);
  return { status: "apply", state: left.length ? { ...rest, reactions: left } : rest };
}
