/**
 * How the client keeps messages in their current state and rooms' unread and mention counts
 * (docs/protocol.md, "Message lifecycle"). Plain functions over plain data, so the store stays thin
 * and the rules are testable without a browser.
 *
 * Every change to a room is an event with the room's next seq; a message carries the seq of its last
 * change as `rev`. A state of a message replaces the held one only when its rev is higher, so every
 * delivery (live, resumed, a history page that was on its way) is idempotent and order-safe.
 */
import { LIMITS, type ChatMessage, type ReplyRef, type RoomSummary } from "../../../src/protocol/index.ts";

export const revOf = (m: ChatMessage): number => m.rev ?? m.seq;

/** What a reply quote shows of `m` as it is now. */
export const quoteOf = (m: ChatMessage): ReplyRef => ({
  id: m.id,
  seq: m.seq,
  from: m.from,
  fromName: m.fromName,
  // By code points, as the server cuts it, so an emoji is never cut in half.
  snippet: m.deleted ? "" : Array.from(m.body).slice(0, LIMITS.replySnippetMax).join(""),
  ...(m.deleted ? { deleted: true } : {}),
});

const sameQuote = (a: ReplyRef, b: ReplyRef) => a.snippet === b.snippet && !!a.deleted === !!b.deleted;

/**
 * Quotes follow what they quote: every held reply to a message in `changed` shows that message's
 * current snippet (or that it was deleted).
 */
function refreshQuotes(list: ChatMessage[], changed: Map<string, ChatMessage>): ChatMessage[] {
  if (changed.size === 0) return list;
  return list.map((m) => {
    const quoted = m.replyTo && changed.get(m.replyTo.id);
    if (!quoted || m.deleted) return m;
    const quote = quoteOf(quoted);
    return sameQuote(m.replyTo!, quote) ? m : { ...m, replyTo: quote };
  });
}

/**
 * Adds `incoming` (new messages, history pages) to a room's messages, sorted by seq: a message
 * already held is replaced only by a newer state of it.
 */
export function mergeMessages(existing: readonly ChatMessage[], incoming: readonly ChatMessage[]): ChatMessage[] {
  const bySeq = new Map(existing.map((m) => [m.seq, m]));
  const changed = new Map<string, ChatMessage>();
  for (const m of incoming) {
    const held = bySeq.get(m.seq);
    if (held && revOf(held) >= revOf(m)) continue;
    bySeq.set(m.seq, m);
    if (held) changed.set(m.id, m);
  }
  return refreshQuotes([...bySeq.values()].sort((a, b) => a.seq - b.seq), changed);
}

/**
 * Applies changed messages (`updated`, `resumed.updates`) to the held ones. A message not held is
 * left out: a lone old message would open a hole in the pages held (history loads before the oldest).
 */
export function applyUpdates(existing: readonly ChatMessage[], updates: readonly ChatMessage[]): ChatMessage[] {
  const held = new Set(existing.map((m) => m.seq));
  const list = mergeMessages(existing, updates.filter((u) => held.has(u.seq)));
  // A reply whose original is not held still follows it.
  return refreshQuotes(list, new Map(updates.filter((u) => !held.has(u.seq)).map((u) => [u.id, u])));
}

/** Whether this user's reaction with this emoji is on the message (a pick toggles it). */
export const hasReacted = (m: ChatMessage, emoji: string, userId: string | undefined): boolean =>
  !!userId && !!m.reactions?.some((r) => r.emoji === emoji && r.users.includes(userId));

export const mentionsUser = (m: ChatMessage, userId: string | undefined): boolean =>
  !!userId && !m.deleted && !!m.mentions?.includes(userId);

const countsAsUnread = (m: ChatMessage, me: string | undefined) => m.from !== me && !m.deleted;

export type RoomCounts = Pick<RoomSummary, "lastSeq" | "lastReadSeq" | "unread" | "mentions" | "lastMessage">;

/**
 * A room's summary after a batch of its events: `messages` new ones (oldest first), `updates`
 * changed ones, `toSeq` the newest event covered, `held` the previous state of held messages by id.
 * What the summary already covers (seq or rev ≤ its `lastSeq`, e.g. a `ready` that came first) is not
 * counted twice.
 */
export function countEvents(
  room: RoomCounts,
  me: string | undefined,
  messages: readonly ChatMessage[],
  updates: readonly ChatMessage[],
  toSeq: number,
  held: (id: string) => ChatMessage | undefined,
): RoomCounts {
  const base = room.lastSeq;
  let { unread, lastReadSeq } = room;
  let mentions = room.mentions ?? 0;
  let lastMessage = room.lastMessage;
  const unreadHere = (m: ChatMessage) => m.seq > lastReadSeq && countsAsUnread(m, me);
  for (const u of updates) {
    if (lastMessage?.id === u.id && revOf(u) > revOf(lastMessage)) lastMessage = u;
    if (revOf(u) <= base || u.seq <= lastReadSeq || u.from === me) continue;
    const old = held(u.id);
    if (old && revOf(old) >= revOf(u)) continue;
    // A deletion is final (nothing changes a tombstone), so an unknown previous state was not deleted.
    if (u.deleted && !old?.deleted) unread--;
    // Without the previous state a deletion's mention is unknown: the cap below keeps it ≤ unread.
    if (old) mentions += Number(mentionsUser(u, me)) - Number(mentionsUser(old, me));
  }
  for (const m of messages) {
    if (m.seq <= base) continue;
    if (!lastMessage || m.seq > lastMessage.seq) lastMessage = m;
    if (m.from === me) {
      // Writing in a room means having read it.
      lastReadSeq = Math.max(lastReadSeq, m.seq);
      unread = 0;
      mentions = 0;
    } else if (unreadHere(m)) {
      unread++;
      if (mentionsUser(m, me)) mentions++;
    }
  }
  unread = Math.max(0, unread);
  return { lastSeq: Math.max(base, toSeq), lastReadSeq, unread, mentions: Math.min(Math.max(0, mentions), unread), lastMessage };
}

/**
 * Unread and mentions once the reader has seen up to `seq`, from the held messages after it. Only
 * exact when the held messages reach the room's newest (the conversation marks what is on screen,
 * so they do); never more than before.
 */
export function countAfterRead(room: RoomCounts, me: string | undefined, held: readonly ChatMessage[], seq: number): Pick<RoomCounts, "unread" | "mentions"> {
  if (seq >= room.lastSeq) return { unread: 0, mentions: 0 };
  const after = held.filter((m) => m.seq > seq && countsAsUnread(m, me));
  return {
    unread: Math.min(room.unread, after.length),
    mentions: Math.min(room.mentions ?? 0, after.filter((m) => mentionsUser(m, me)).length),
  };
}
