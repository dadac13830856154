import { LIMITS, type ReplyRef } from "../protocol/index.ts";
import type { ChatMessage } from "./model.ts";

/** Users one message can mention: bounds the lookups a single send or edit costs. */
export const MENTIONS_MAX = 20;

/** `@name` where name follows the username grammar and is not part of a longer word or address. */
const MENTION = /(?<![A-Za-z0-9_@.])@([a-z0-9_]{3,32})(?![A-Za-z0-9_])/g;

/** The distinct usernames a body mentions, in order of first appearance, at most MENTIONS_MAX. */
export function mentionedNames(body: string): string[] {
  if (!body.includes("@")) return []; // every send passes here: skip the regex for most
  const names = new Set<string>();
  for (const m of body.matchAll(MENTION)) {
    names.add(m[1]!);
    if (names.size === MENTIONS_MAX) break;
  }
  return [...names];
}

/** What a reply shows of the message it answers, as that message is now. */
export function replyRefOf(target: ChatMessage): ReplyRef {
  const ref: ReplyRef = {
    id: target.id,
    seq: target.seq,
    from: target.from,
    fromName: target.fromName,
    // By code points, so an emoji is never cut in half.
    snippet: target.deleted ? "" : Array.from(target.body).slice(0, LIMITS.replySnippetMax).join(""),
  };
  if (target.deleted) ref.deleted = true;
  return ref;
}
