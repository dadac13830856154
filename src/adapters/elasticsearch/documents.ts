import type { ChatMessage } from "../../domain/model.ts";
import type { ActivityEvent } from "../../protocol/index.ts";
import type { IndexNames } from "./indices.ts";
import { trigrams } from "./trigrams.ts";

/** One bulk operation: `index` overwrites (messages, so an edit replaces the old text), `create` is write-once (data streams). */
export interface BulkDoc {
  index: string;
  id: string;
  op: "index" | "create";
  doc: Record<string, unknown>;
}

export const messageDoc = (names: IndexNames, m: ChatMessage): BulkDoc => ({
  index: names.messages,
  id: m.id,
  op: "index",
  doc: { ...m, grams: trigrams(m.body) },
});

export const activityDoc = (names: IndexNames, e: ActivityEvent): BulkDoc => ({
  index: names.activity,
  id: e.id,
  op: "create",
  doc: { "@timestamp": e.time, id: e.id, type: e.type, user: e.user, room: e.room, instance: e.instance, details: e.details },
});
