import type { ChatMessage, MessageDraft } from "../../domain/model.ts";
import type { ChangeDraft, ChangeResult } from "../../ports/index.ts";
import type { SqliteSettings } from "./database.ts";

/** Messages between the socket thread and the SQLite writer worker. */
export type WriteOp =
  | { op: "append"; rid: number; draft: MessageDraft }
  | { op: "read"; rid: number; room: string; userId: string; seq: number }
  | { op: "change"; rid: number; draft: ChangeDraft };

/**
 * A new message comes back as its seq only: the caller holds the draft it sent. A duplicate comes
 * back whole (it is the stored original, which the caller does not have).
 */
export type WriteResult =
  | { rid: number; ok: true; seq: number }
  | { rid: number; ok: true; duplicate: ChatMessage }
  | { rid: number; ok: true; cursor: number }
  | { rid: number; ok: true; change: ChangeResult }
  | { rid: number; ok: false; error: string };

/**
 * Batches cross the thread boundary as JSON text: Bun copies one string far faster than it
 * structured-clones hundreds of small objects (the clone was the socket thread's top cost in the
 * send profile, docs/hot-path.md).
 */
export type ToWriter =
  | { kind: "init"; path: string; settings: SqliteSettings }
  | { kind: "write"; ops: string /* JSON WriteOp[] */ }
  | { kind: "close" };

export type FromWriter =
  | { kind: "ready" }
  | { kind: "written"; results: string /* JSON WriteResult[] */ }
  | { kind: "closed" }
  | { kind: "fatal"; error: string };
