/**
 * Bulk persistence of messages that already have their seq (assigned upstream, e.g. by the Kafka
 * pipeline). Worker-safe: imports only the driver and plain modules.
 */
import { MongoBulkWriteError, type AnyBulkWriteOperation, type Db } from "mongodb";
import type { ChatMessage } from "../../domain/model.ts";
import { newestBySender } from "./read-cursors.ts";
import { collections, DURABLE_WRITE, isDuplicateKey, messageToDoc, type Collections, type MembershipDoc, type MessageDoc } from "./collections.ts";

export interface BulkUpsertResult {
  /** Messages of the batch that are in the store now (new, or stored before by a replay). */
  stored: number;
  /**
   * Refused because a different message holds their (room, seq) or (from, clientId). Retrying
   * cannot change that, so they are reported instead of failing the whole batch.
   */
  conflicts: ChatMessage[];
}

export class MongoMessageStore {
  private c: Collections;
  constructor(db: Db) {
    this.c = collections(db);
  }

  /**
   * Idempotent by message id: upserts with $setOnInsert never change a stored message, so replays
   * and redeliveries are no-ops. Also moves each sender's read cursor up to their newest message
   * here ($max). Resolves once the writes are durable; rejects on any error but a conflict.
   */
  async bulkUpsert(messages: ChatMessage[]): Promise<BulkUpsertResult> {
    const result: BulkUpsertResult = { stored: 0, conflicts: [] };
    for (let i = 0; i < messages.length; i += MAX_OPS_PER_COMMAND) {
      const part = await this.upsertChunk(messages.slice(i, i + MAX_OPS_PER_COMMAND));
      result.stored += part.stored;
      result.conflicts.push(...part.conflicts);
    }
    return result;
  }

  private async upsertChunk(messages: ChatMessage[]): Promise<BulkUpsertResult> {
    const conflicts: ChatMessage[] = [];
    let todo = messages;
    // FerretDB stops an update command at its first duplicate-key error (ordered or not), so
    // after a failure re-check what got in and write the rest again; each round settles >= 1 message.
    while (todo.length > 0) {
      try {
        await this.c.messages.bulkWrite(todo.map(upsertOp), { ordered: false, ...DURABLE_WRITE });
        break;
      } catch (err) {
        if (!(err instanceof MongoBulkWriteError) || !isDuplicateKey(err)) throw err;
        const failedIds = new Set((Array.isArray(err.writeErrors) ? err.writeErrors : [err.writeErrors]).flatMap((e) => todo[e.index]?.id ?? []));
        const stored = new Set(
          (await this.c.messages.find({ _id: { $in: todo.map((m) => m.id) } }, { projection: { _id: 1 } }).toArray()).map((d) => d._id),
        );
        // A concurrent upsert of the same id also fails on _id: that message is stored, not in conflict.
        for (const m of todo) if (failedIds.has(m.id) && !stored.has(m.id)) conflicts.push(m);
        todo = todo.filter((m) => !stored.has(m.id) && !failedIds.has(m.id));
      }
    }
    const ok = conflicts.length === 0 ? messages : messages.filter((m) => !conflicts.includes(m));
    await advanceSenders(this.c, ok);
    return { stored: ok.length, conflicts };
  }
}

/**
 * FerretDB 1.24 keeps one SQLite connection open per statement of an update command until the
 * command ends; past ~100 statements its pool of 100 runs dry and the command waits forever.
 */
export const MAX_OPS_PER_COMMAND = 50;

function upsertOp(m: ChatMessage): AnyBulkWriteOperation<MessageDoc> {
  const { _id, ...fields } = messageToDoc(m);
  return { updateOne: { filter: { _id }, update: { $setOnInsert: fields }, upsert: true } };
}

/** One unordered bulk write of $max updates (the Kafka worker's batches; see ReadCursors for the caveat). */
async function advanceSenders(c: Collections, messages: readonly ChatMessage[]) {
  const ops = newestBySender(messages).map(
    ({ room, user, seq }): AnyBulkWriteOperation<MembershipDoc> => ({
      updateOne: { filter: { room, user }, update: { $max: { lastReadSeq: seq } } },
    }),
  );
  for (let i = 0; i < ops.length; i += MAX_OPS_PER_COMMAND) {
    await c.memberships.bulkWrite(ops.slice(i, i + MAX_OPS_PER_COMMAND), { ordered: false });
  }
}
