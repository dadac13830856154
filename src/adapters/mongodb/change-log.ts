import type { Db } from "mongodb";
import { decideChange } from "../../domain/message-state.ts";
import type { ChangeDraft, ChangeResult, MessageChangeLog } from "../../ports/index.ts";
import { collections, docToMessage, DURABLE_WRITE, isDuplicateKey, messageToDoc, type Collections, type MessageDoc } from "./collections.ts";
import { present } from "./message-reader.ts";

/** Lost races (another instance took the seq, or changed the message first) before a change gives up. */
const MAX_ATTEMPTS = 50;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Message changes when MongoDB is the store and no Kafka pipeline assigns seqs. Gap-free the way
 * MongoMessageLog is, without a counter: a change takes the room's next seq by inserting an event
 * document at max + 1 under the unique (room, seq) index (a lost race re-reads and retries), which
 * also records the resulting state. The state is then written onto the message only if the message
 * still has the rev the change was decided on; if another change got there first, the change is
 * decided again on the newer state with a new seq (its first seq stays an empty slot in the stream:
 * `resume` finds nothing there). An edit's event is unique per (editor, room, clientId), so a retried
 * edit finds its event, finishes writing its state and is a no-op.
 * Without transactions, the event and the state are two writes: a crash between them leaves the
 * slot empty; an edit's retry completes it, other changes are simply decided again when retried.
 */
export class MongoMessageChangeLog implements MessageChangeLog {
  private c: Collections;
  constructor(db: Db) {
    this.c = collections(db);
  }

  async change(d: ChangeDraft): Promise<ChangeResult> {
    const editKey = d.change.kind === "edit" && d.clientId ? d.clientId : undefined;
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      if (editKey) {
        const done = await this.c.messages.findOne({ room: d.room, from: eventFrom(d.by), clientId: editKey });
        if (done) return this.finish(done);
      }
      const target = await this.c.messages.findOne({ _id: d.messageId, room: d.room, event: { $exists: false } });
      if (!target) return { status: "not_found" };
      const current = docToMessage(target);
      const decision = decideChange(current, d.change, d.by, d.at);
      if (decision.status === "noop") return { status: "noop", message: await this.presented(target) };
      if (decision.status !== "apply") return decision;

      const seq = (await this.maxSeq(d.room)) + 1;
      const state = messageToDoc({ ...decision.state, rev: seq });
      const event: MessageDoc = {
        _id: `ev:${d.room}:${seq}`,
        room: d.room,
        seq,
        from: eventFrom(d.by),
        fromName: "",
        body: "",
        clientId: editKey ?? `seq:${seq}`,
        createdAt: d.at,
        event: { message: d.messageId, state },
      };
      try {
        await this.c.messages.insertOne(event, DURABLE_WRITE);
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        if (attempt > 2) await sleep(Math.random() * 5 * attempt);
        continue; // the seq was taken (or this edit was stored meanwhile): look again
      }
      const written = await this.c.messages.replaceOne({ _id: d.messageId, ...revIs(current.rev) }, state, DURABLE_WRITE);
      if (written.matchedCount === 1) return { status: "applied", seq, message: await this.presented(state) };
      // Changed by someone else meanwhile: give the slot up (it was never delivered) and decide again on what they left.
      await this.c.messages.deleteOne({ _id: event._id });
    }
    throw new Error(`change to message ${d.messageId}: too many concurrent changes`);
  }

  /** A retried edit whose event exists: make sure its state is written (a crash may have come between), answer with the current state. */
  private async finish(event: MessageDoc): Promise<ChangeResult> {
    const { message, state } = event.event!;
    await this.c.messages.replaceOne({ _id: message, $or: [{ rev: { $exists: false } }, { rev: { $lt: state.rev! } }] }, state, DURABLE_WRITE);
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

/** Events are "sent" by `change:<user>`, so their (from, room, clientId) never meets a user's own sends. */
const eventFrom = (by: string) => `change:${by}`;
const revIs = (rev: number | undefined) => (rev === undefined ? { rev: { $exists: false } } : { rev });
