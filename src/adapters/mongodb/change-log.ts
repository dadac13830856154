import type { Db } from "mongodb";
import { decideChange } from "../../domain/message-state.ts";
import type { ChangeDraft, ChangeResult, MessageChangeLog } from "../../ports/index.ts";
import { collections, docToMessage, DURABLE_WRITE, isDuplicateKey, messageToDoc, NOT_EVENT, type Collections, type MessageDoc } from "./collections.ts";
import { present } from "./message-reader.ts";

/** Lost races (another instance took the seq, or changed the message first) before a change gives up. */
const MAX_ATTEMPTS = 50;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Pending {
  draft: ChangeDraft;
  resolve(result: ChangeResult): void;
  reject(err: Error): void;
}

/** Changes of one room decided and written together (group commit, like MongoMessageLog's appends). */
const MAX_BATCH = 100;

/**
 * Message changes when MongoDB is the store and no Kafka pipeline assigns seqs. Gap-free the way
 * MongoMessageLog is, without a counter: a change takes the room's next seq by inserting an event
 * document at max + 1 under the unique (room, seq) index (a lost race re-reads and retries), which
 * also records the resulting state. The state is then written onto the message only if the message
 * still has the rev the change was decided on; if another instance changed it first, that change's
 * slot is given up (never delivered) and it is decided again on the newer state.
 * Changes of a room are queued in this process and handled in batches: one read of their targets,
 * decisions in order in memory, one insert of their slots, one write per changed message (a
 * reaction storm costs a few round trips per batch, not per reaction).
 * An edit's slot is unique per (editor, room, clientId), so a retried edit finds it, finishes
 * writing its state (a crash may have come between the two writes) and is a no-op.
 */
export class MongoMessageChangeLog implements MessageChangeLog {
  private c: Collections;
  private queues = new Map<string, Pending[]>();
  /** Last seq this process gave a room; a guess that a lost race corrects (re-reading the max is a scan on FerretDB). */
  private lastSeq = new Map<string, number>();
  constructor(db: Db) {
    this.c = collections(db);
  }

  change(draft: ChangeDraft): Promise<ChangeResult> {
    return new Promise((resolve, reject) => {
      const item = { draft, resolve, reject };
      const queue = this.queues.get(draft.room);
      if (queue) return void queue.push(item);
      this.queues.set(draft.room, [item]);
      void this.drain(draft.room);
    });
  }

  private async drain(room: string) {
    const queue = this.queues.get(room)!;
    while (queue.length > 0) {
      let batch = queue.splice(0, MAX_BATCH);
      try {
        for (let attempt = 1; batch.length > 0; attempt++) {
          if (attempt > MAX_ATTEMPTS) throw new Error(`changes in room ${room}: too many concurrent changes`);
          if (attempt > 2) await sleep(Math.random() * 5 * attempt);
          batch = await this.attempt(room, batch);
        }
      } catch (err) {
        const error = err instanceof Error ? err : new Error(String(err));
        for (const p of batch) p.reject(error);
      }
    }
    this.queues.delete(room);
  }

  /** Settles what it can; returns the changes to try again (lost a race for a seq or a message). */
  private async attempt(room: string, batch: Pending[]): Promise<Pending[]> {
    // Retried edits whose slot exists: finished and answered as no-ops.
    const editKeys = batch.flatMap((p) => (p.draft.change.kind === "edit" && p.draft.clientId ? [p.draft.clientId] : []));
    const done = editKeys.length
      ? await this.c.messages.find({ room, clientId: { $in: editKeys }, from: { $in: batch.map((p) => eventFrom(p.draft.by)) }, event: { $exists: true } }).toArray()
      : [];
    const doneBy = new Map(done.map((e) => [`${e.from}\u0000${e.clientId}`, e]));
    const todo: Pending[] = [];
    for (const p of batch) {
      const e = p.draft.change.kind === "edit" && p.draft.clientId ? doneBy.get(`${eventFrom(p.draft.by)}\u0000${p.draft.clientId}`) : undefined;
      if (e) p.resolve(await this.finish(e));
      else todo.push(p);
    }
    if (todo.length === 0) return [];

    const targets = new Map(
      (await this.c.messages.find({ _id: { $in: [...new Set(todo.map((p) => p.draft.messageId))] }, room, ...NOT_EVENT }).toArray()).map((d) => [d._id, d]),
    );
    const original = new Map([...targets].map(([id, d]) => [id, d.rev]));
    const working = new Map([...targets].map(([id, d]) => [id, docToMessage(d)]));
    let seq = this.lastSeq.get(room) ?? (await this.maxSeq(room));
    const applied: { p: Pending; seq: number; state: MessageDoc; event: MessageDoc }[] = [];
    // The same edit twice in one batch: the second waits for the next attempt, which finds the first's slot.
    const edits = new Set<string>();
    const again: Pending[] = [];
    for (const p of todo) {
      const d = p.draft;
      if (d.change.kind === "edit" && d.clientId) {
        const key = `${d.by}\u0000${d.clientId}`;
        if (edits.has(key)) {
          again.push(p);
          continue;
        }
        edits.add(key);
      }
      const current = working.get(d.messageId);
      if (!current) {
        p.resolve({ status: "not_found" });
        continue;
      }
      const decision = decideChange(current, d.change, d.by, d.at);
      if (decision.status === "noop") p.resolve({ status: "noop", message: await this.presented(messageToDoc(current)) });
      if (decision.status !== "apply") {
        if (decision.status !== "noop") p.resolve(decision);
        continue;
      }
      seq++;
      const state = { ...decision.state, rev: seq };
      working.set(d.messageId, state);
      const doc = messageToDoc(state);
      const editKey = d.change.kind === "edit" ? d.clientId : undefined;
      // Only an edit's slot keeps the state (a retry finishes it); the others stay small (a storm of them is scanned by every query on FerretDB).
      const event: MessageDoc = { _id: `ev:${room}:${seq}`, room, seq, from: eventFrom(d.by), fromName: "", body: "", clientId: editKey ?? `seq:${seq}`, createdAt: d.at, event: editKey ? { message: d.messageId, state: doc } : { message: d.messageId } };
      applied.push({ p, seq, state: doc, event });
    }
    if (applied.length === 0) return again;

    try {
      await this.c.messages.insertMany(applied.map((a) => a.event), { ordered: true, ...DURABLE_WRITE });
    } catch (err) {
      this.lastSeq.delete(room);
      if (!isDuplicateKey(err)) throw err;
      // Another writer took a seq (or stored one of these edits): give back what got in, decide again.
      await this.c.messages.deleteMany({ _id: { $in: applied.map((a) => a.event._id) } });
      return [...applied.map((a) => a.p), ...again];
    }
    this.lastSeq.set(room, seq);
    // One write per message: its final state, only over the rev the batch started from.
    const lost = new Set<string>();
    for (const [id, state] of working) {
      if (!applied.some((a) => a.event.event!.message === id)) continue;
      const written = await this.c.messages.replaceOne({ _id: id, ...revIs(original.get(id)) }, messageToDoc(state), DURABLE_WRITE);
      if (written.matchedCount === 0) lost.add(id);
    }
    const retry: Pending[] = again;
    const given: string[] = [];
    for (const a of applied) {
      if (lost.has(a.event.event!.message)) {
        retry.push(a.p);
        given.push(a.event._id);
      } else a.p.resolve({ status: "applied", seq: a.seq, message: await this.presented(a.state) });
    }
    // Changed by another instance meanwhile: their slots are given up (never delivered).
    if (given.length) await this.c.messages.deleteMany({ _id: { $in: given } });
    // A deleted message's edits leave no body behind in their slots.
    const deleted = applied.filter((a) => a.state.deleted && !lost.has(a.event.event!.message)).map((a) => a.event.event!.message);
    if (deleted.length) await this.c.messages.updateMany({ room, "event.message": { $in: deleted } }, { $unset: { "event.state": "" } }, DURABLE_WRITE);
    return retry;
  }

  /** A retried edit whose slot exists: make sure its state is written, answer with the current state. */
  private async finish(event: MessageDoc): Promise<ChangeResult> {
    const { message, state } = event.event!;
    if (state) await this.c.messages.replaceOne({ _id: message, $or: [{ rev: { $exists: false } }, { rev: { $lt: state.rev! } }] }, state, DURABLE_WRITE);
    const target = await this.c.messages.findOne({ _id: message });
    return target ? { status: "noop", message: await this.presented(target) } : { status: "not_found" };
  }

  private async presented(doc: MessageDoc) {
    return (await present(this.c, [doc]))[0]!;
  }

  private async maxSeq(room: string): Promise<number> {
    const top = await this.c.messages.findOne({ room }, { sort: { seq: -1 }, projection: { seq: 1 } });
    return top?.seq ?? 0;
  }
}

/** Slots are "sent" by `change:<user>`, so their (from, room, clientId) never meets a user's own sends. */
const eventFrom = (by: string) => `change:${by}`;
const revIs = (rev: number | undefined) => (rev === undefined ? { rev: { $exists: false } } : { rev });
