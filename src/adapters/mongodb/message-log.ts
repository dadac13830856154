import { MongoBulkWriteError, type Db } from "mongodb";
import { messageOf, type AppendResult, type ChatMessage, type MessageDraft } from "../../domain/model.ts";
import type { MessageLog } from "../../ports/index.ts";
import { storedOf, withoutReplyId } from "../../domain/message-state.ts";
import { collections, docToMessage, DURABLE_WRITE, isDuplicateKey, messageToDoc, type Collections } from "./collections.ts";
import { ReadCursors } from "./read-cursors.ts";

interface Pending {
  draft: MessageDraft;
  resolve(result: AppendResult): void;
  reject(err: Error): void;
}

export interface MongoMessageLogOptions {
  /** Appends of one room written by one insertMany (group commit). */
  maxBatch?: number;
  /** Lost races for a seq before an append gives up (only under heavy multi-instance contention). */
  maxAttempts?: number;
  /** The storage's shared ReadCursors (see MongoRoomStore). */
  cursors?: ReadCursors;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Appends are queued per room, so (from, clientId) identifies a send within one room's batches. */
const clientKey = (d: { from: string; clientId: string }) => `${d.from}\u0000${d.clientId}`;

/**
 * The message log when MongoDB is the store and no Kafka pipeline assigns seqs. Gap-free across
 * instances without a counter (a counter bumped before a failed insert would leave a hole):
 * - appends of a room are serialised in this process and written in batches with seq = max + 1 ...;
 * - the unique (room, seq) index makes a writer that lost a race to another instance fail; it
 *   re-reads the max and retries, so every stored seq follows one that is already stored;
 * - the unique (from, room, clientId) index turns a retried send into the original message.
 * Resolves after a majority/journaled acknowledgement and the sender's read cursor moved.
 */
export class MongoMessageLog implements MessageLog {
  private c: Collections;
  private cursors: ReadCursors;
  private queues = new Map<string, Pending[]>();
  /** Last seq this process stored per room; a guess that a lost race corrects. */
  private lastSeq = new Map<string, number>();
  private pending = 0;
  private maxBatch: number;
  private maxAttempts: number;

  constructor(db: Db, options: MongoMessageLogOptions = {}) {
    this.c = collections(db);
    this.cursors = options.cursors ?? new ReadCursors(this.c.memberships);
    // FerretDB inserts in chunks of 100 and does not stop an ordered insert at a later chunk: keep
    // each insertMany within one chunk so what gets in is always a prefix.
    this.maxBatch = Math.min(options.maxBatch ?? 100, 100);
    this.maxAttempts = options.maxAttempts ?? 50;
  }

  append(draft: MessageDraft): Promise<AppendResult> {
    return new Promise((resolve, reject) => {
      this.pending++;
      const done = () => this.pending--;
      const item: Pending = {
        draft,
        resolve: (r) => (done(), resolve(r)),
        reject: (e) => (done(), reject(e)),
      };
      const queue = this.queues.get(draft.room);
      if (queue) return void queue.push(item);
      this.queues.set(draft.room, [item]);
      void this.drain(draft.room);
    });
  }

  async backlog() {
    return this.pending;
  }

  /** Waits (bounded) for appends in flight, so a graceful stop acks what it accepted. */
  async close() {
    const deadline = Date.now() + 10_000;
    while (this.queues.size > 0 && Date.now() < deadline) await sleep(20);
  }

  private async drain(room: string) {
    const queue = this.queues.get(room)!;
    while (queue.length > 0) {
      const batch = queue.splice(0, this.maxBatch);
      try {
        await this.writeBatch(room, batch);
      } catch (err) {
        this.lastSeq.delete(room);
        const error = err instanceof Error ? err : new Error(String(err));
        for (const p of batch) p.reject(error); // no-op for those already settled
      }
    }
    this.queues.delete(room);
  }

  private async writeBatch(room: string, batch: Pending[]) {
    // The same (from, clientId) twice in one batch: the later ones get the first one's outcome.
    const firsts = new Map<string, Pending>();
    const followers: [Pending, Pending][] = [];
    for (const p of batch) {
      const first = firsts.get(clientKey(p.draft));
      if (first) followers.push([p, first]);
      else firsts.set(clientKey(p.draft), p);
    }
    const outcome = new Map<Pending, AppendResult>();
    let todo = [...firsts.values()];

    for (let attempt = 1; todo.length > 0; attempt++) {
      const base = this.lastSeq.get(room) ?? (await this.maxSeq(room));
      const docs = todo.map((p, i) => messageToDoc(storedOf(p.draft, base + 1 + i)));
      try {
        // Ordered: stops at the first failure, so what got in is always a prefix (no holes).
        await this.c.messages.insertMany(docs, { ordered: true, ...DURABLE_WRITE });
        this.lastSeq.set(room, base + docs.length);
        docs.forEach((d, i) => outcome.set(todo[i]!, { message: messageOf(todo[i]!.draft, d.seq), duplicate: false }));
        todo = [];
      } catch (err) {
        this.lastSeq.delete(room);
        if (!isDuplicateKey(err)) throw err;
        // Which of them are stored now (ours, or an earlier send with the same clientId)? The rest retry.
        const failed = err instanceof MongoBulkWriteError ? firstErrorIndex(err) : undefined;
        const failedDoc = failed === undefined ? undefined : todo[failed];
        todo = await this.settleStored(todo, outcome);
        // A seq collision proves that seq is stored, so the next try can start right after it
        // without re-reading the max (a full scan on FerretDB). Still gap-free: we only ever write
        // n + 1 when n is known to exist. After a few lost races, read the max instead.
        if (failedDoc && todo.includes(failedDoc) && attempt < 3) this.lastSeq.set(room, base + 1 + failed!);
        if (todo.length > 0 && attempt >= this.maxAttempts) throw new Error(`message log: seq contention in room ${room}`);
        if (attempt > 2) await sleep(Math.random() * 5 * attempt);
      }
    }

    const stored = [...outcome.values()].filter((r) => !r.duplicate).map((r) => r.message);
    await this.cursors.advanceSenders(stored);
    for (const [p, r] of outcome) p.resolve(r);
    for (const [p, first] of followers) {
      const r = outcome.get(first);
      if (r) p.resolve({ message: r.message, duplicate: true });
    }
  }

  /** Settles the appends (all of one room) whose (from, room, clientId) is stored; returns the others. */
  private async settleStored(todo: Pending[], outcome: Map<Pending, AppendResult>): Promise<Pending[]> {
    const docs = await this.c.messages
      .find({
        room: todo[0]!.draft.room,
        from: { $in: [...new Set(todo.map((p) => p.draft.from))] },
        clientId: { $in: todo.map((p) => p.draft.clientId) },
      })
      .toArray();
    const byKey = new Map(docs.map((d) => [clientKey(d), d]));
    return todo.filter((p) => {
      const doc = byKey.get(clientKey(p.draft));
      if (!doc) return true;
      outcome.set(p, { message: withoutReplyId(docToMessage(doc)), duplicate: doc._id !== p.draft.id });
      return false;
    });
  }

  private async maxSeq(room: string): Promise<number> {
    const top = await this.c.messages.findOne({ room }, { sort: { seq: -1 }, projection: { seq: 1 } });
    return top?.seq ?? 0;
  }
}

/** Index of the first failed document of an ordered insertMany. */
function firstErrorIndex(err: MongoBulkWriteError): number | undefined {
  const errors = Array.isArray(err.writeErrors) ? err.writeErrors : [err.writeErrors];
  const indexes = errors.map((e) => e.index).filter((i): i is number => typeof i === "number");
  return indexes.length > 0 ? Math.min(...indexes) : undefined;
}
