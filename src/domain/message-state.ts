import type { ChatMessage } from "./model.ts";

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
