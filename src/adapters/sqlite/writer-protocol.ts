import type { AppendResult, MessageDraft } from "../../domain/model.ts";
import type { SqliteSettings } from "./database.ts";

/** Messages between the socket thread and the SQLite writer worker. */
export type WriteOp =
  | { op: "append"; rid: number; draft: MessageDraft }
  | { op: "read"; rid: number; room: string; userId: string; seq: number };

export type WriteResult =
  | { rid: number; ok: true; append: AppendResult }
  | { rid: number; ok: true; cursor: number }
  | { rid: number; ok: false; error: string };

export type ToWriter =
  | { kind: "init"; path: string; settings: SqliteSettings }
  | { kind: "write"; ops: WriteOp[] }
  | { kind: "close" };

export type FromWriter =
  | { kind: "ready" }
  | { kind: "written"; results: WriteResult[] }
  | { kind: "closed" }
  | { kind: "fatal"; error: string };
