import type { ChatMessage } from "../../domain/model.ts";
import type { ActivityEvent } from "../../protocol/index.ts";
import type { IndexNames } from "./indices.ts";
import { trigrams } from "./trigrams.ts";

/**
 * One bulk operation: `index` overwrites (messages, so an edit replaces the old text), `create` is
 * write-once (data streams), `delete` removes (a deleted message: its body must not stay findable).
 */
export interface BulkDoc {
  index: string;
  id: string;
  op: "index" | "create" | "delete";
  doc: Record<string, unknown>;
}

/**
 * A message in its current state: a tombstone is removed from the index. Only the searchable
 * fields and what a hit shows are indexed (the mapping is strict): reactions, replies and the like
 * are history's to show.
 */
export function messageDoc(names: IndexNames, m: ChatMessage): BulkDoc {
  if (m.deleted) return { index: names.messages, id: m.id, op: "delete", doc: {} };
  const doc: Record<string, unknown> = { id: m.id, room: m.room, seq: m.seq, from: m.from, fromName: m.fromName, body: m.body, createdAt: m.createdAt, clientId: m.clientId, grams: trigrams(m.body) };
  if (m.incomplete) doc.incomplete = true;
  return { index: names.messages, id: m.id, op: "index", doc };
}

export const activityDoc = (names: IndexNames, e: ActivityEvent): BulkDoc => ({
  index: names.activity,
  id: e.id,
  op: "create",
  doc: { "@timestamp": e.time, id: e.id, type: e.type, user: e.user, room: e.room, instance: e.instance, details: e.details },
});
