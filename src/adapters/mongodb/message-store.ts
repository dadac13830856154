/**
 * Bulk persistence of messages that already have their seq (assigned upstream, e.g. by the Kafka
 * pipeline). Worker-safe: imports only the driver and plain modules.
 */
import { MongoBulkWriteError, type AnyBulkWriteOperation, type Db } from "mongodb";
import type { ChatMessage } from "../../domain/model.ts";
import { newestStates } from "../../domain/message-state.ts";
import { CursorWriter, cursorKey, MAX_UPDATES_PER_COMMAND, newestBySender, type CursorMove } from "./read-cursors.ts";
import { collections, DURABLE_WRITE, isDuplicateKey, messageToDoc, type Collections, type MessageDoc } from "./collections.ts";

/**
 * Writes per command: FerretDB inserts in chunks of 100 and struggles with very large commands;
 * a real MongoDB splits batches itself, so this costs it nothing.
 */
const MAX_OPS_PER_COMMAND = 100;

export interface BulkUpsertResult {
  /** Messages of the batch that are in the store now (new, or stored before by a replay). */
  stored: number;
  /**
   * Refused because a different message holds their (room, seq) or (from, room, clientId). Retrying
   * cannot change that, so they are reported instead of failing the whole batch.
   */
  conflicts: ChatMessage[];
}

export interface MongoMessageStoreOptions {
  /**
   * Keep the senders' cursor moves until flushCursorMoves() instead of writing them with each batch.
   * On FerretDB every cursor that moves is a write transaction of its own (≈ 4 ms, 90 % of a batch;
   * docs/durable-scale-out.md) while a whole batch of messages is one: deferred moves of the same
   * cursor merge into one write. The caller must flush before it treats the batches as done.
   */
  deferCursorMoves?: boolean;
}

export class MongoMessageStore {
  private c: Collections;
  private cursors: CursorWriter;
  private deferred: Map<string, CursorMove> | null;
  constructor(db: Db, options: MongoMessageStoreOptions = {}) {
    this.c = collections(db);
    this.cursors = new CursorWriter(this.c.memberships);
    this.deferred = options.deferCursorMoves ? new Map() : null;
  }

  /** Writes the deferred cursor moves (newest per cursor); kept for the next flush if it fails. */
  async flushCursorMoves(): Promise<void> {
    if (!this.deferred?.size) return;
    const moves = [...this.deferred.values()];
    this.deferred.clear();
    try {
      await this.cursors.move(moves);
    } catch (err) {
      this.defer(moves);
      throw err;
    }
  }

  private defer(moves: readonly CursorMove[]) {
    for (const m of moves) {
      const key = cursorKey(m);
      if ((this.deferred!.get(key)?.seq ?? -1) < m.seq) this.deferred!.set(key, m);
    }
  }

  /**
   * Idempotent by message id: an insert that hits the stored _id is a replay or redelivery and
   * leaves the stored message as it is. Changed states (messages with a `rev`, see
   * RedisChangeState) replace the stored document only when it has an older rev, so replays,
   * redeliveries and any arrival order end in the state of the highest rev. Also moves each
   * sender's read cursor up to their newest new message here ($max), now or (deferCursorMoves) at
   * the next flush. Resolves once the writes are
   * durable; rejects on any error but a duplicate.
   */
  async bulkUpsert(messages: ChatMessage[]): Promise<BulkUpsertResult> {
    const fresh = messages.filter((m) => m.rev === undefined);
    const conflicts: ChatMessage[] = [];
    for (let i = 0; i < fresh.length; i += MAX_OPS_PER_COMMAND) {
      conflicts.push(...(await this.insertChunk(fresh.slice(i, i + MAX_OPS_PER_COMMAND))));
    }
    const ok = conflicts.length === 0 ? fresh : fresh.filter((m) => !conflicts.includes(m));
    // Unordered $max updates (see ReadCursors for FerretDB's caveat on concurrent moves).
    if (this.deferred) this.defer(newestBySender(ok));
    else await this.cursors.move(newestBySender(ok));
    const states = newestStates(messages.filter((m) => m.rev !== undefined));
    // Replacements are update statements: as many per command as cursor moves (FerretDB's pool).
    for (let i = 0; i < states.length; i += MAX_UPDATES_PER_COMMAND) await this.applyStates(states.slice(i, i + MAX_UPDATES_PER_COMMAND));
    return { stored: ok.length + states.length, conflicts };
  }

  /**
   * Replaces each document whose rev is older (a delete's replacement has no body, reply,
   * mentions, attachments or reactions left: erased, not hidden), then inserts the states whose
   * document is missing (their original message is still parked upstream; its insert will then be
   * a duplicate). No upserts: on FerretDB each one scans the collection.
   */
  private async applyStates(states: ChatMessage[]) {
    const replace = states.map(
      (m): AnyBulkWriteOperation<MessageDoc> => ({
        replaceOne: { filter: { _id: m.id, $or: [{ rev: { $exists: false } }, { rev: { $lt: m.rev! } }] }, replacement: messageToDoc(m) },
      }),
    );
    for (let attempt = 1; ; attempt++) {
      await this.c.messages.bulkWrite(replace, { ordered: false, ...DURABLE_WRITE });
      const present = new Set(
        (await this.c.messages.find({ _id: { $in: states.map((m) => m.id) } }, { projection: { _id: 1 } }).toArray()).map((d) => d._id),
      );
      const missing = states.filter((m) => !present.has(m.id));
      if (missing.length === 0) return;
      try {
        await this.c.messages.insertMany(missing.map(messageToDoc), { ordered: false, ...DURABLE_WRITE });
        return;
      } catch (err) {
        // Inserted meanwhile (a redelivery on another member during a rebalance): replace again.
        if (!isDuplicateKey(err) || attempt >= 3) throw err;
      }
    }
  }

  /** Inserts what is not stored yet; returns the conflicts. */
  private async insertChunk(chunk: ChatMessage[]): Promise<ChatMessage[]> {
    const conflicts: ChatMessage[] = [];
    let todo = chunk;
    // Plain unordered inserts rather than upserts: the same effect ($setOnInsert by _id), and on
    // FerretDB an insert is a cheap write while every upsert first scans the collection.
    while (todo.length > 0) {
      try {
        await this.c.messages.insertMany(todo.map(messageToDoc), { ordered: false, ...DURABLE_WRITE });
        break;
      } catch (err) {
        if (!(err instanceof MongoBulkWriteError) || !isDuplicateKey(err)) throw err;
        const errors = Array.isArray(err.writeErrors) ? err.writeErrors : [err.writeErrors];
        const failedIds = new Set(errors.flatMap((e) => todo[e.index]?.id ?? []));
        const stored = new Set(
          (await this.c.messages.find({ _id: { $in: todo.map((m) => m.id) } }, { projection: { _id: 1 } }).toArray()).map((d) => d._id),
        );
        // Failed but not stored under its id: another message holds its (room, seq) or (from, room, clientId).
        for (const m of todo) if (failedIds.has(m.id) && !stored.has(m.id)) conflicts.push(m);
        // Anything neither stored nor failed was skipped by the server: write it again.
        todo = todo.filter((m) => !stored.has(m.id) && !failedIds.has(m.id));
      }
    }
    return conflicts;
  }
}
