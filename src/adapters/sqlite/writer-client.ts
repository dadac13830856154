import { messageOf, type AppendResult, type MessageDraft } from "../../domain/model.ts";
import type { Logger } from "../../observability/logger.ts";
import type { ChangeDraft, ChangeResult } from "../../ports/index.ts";
import { SupervisedWorker } from "../../threads/supervised-worker.ts";
import type { SqliteSettings } from "./database.ts";
import type { FromWriter, ToWriter, WriteOp, WriteResult } from "./writer-protocol.ts";

type OkResult = Extract<WriteResult, { ok: true }>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** How long `close` waits for the writes already handed over to commit. */
const DRAIN_MS = 5000;

/**
 * The socket thread's handle on the writer worker. One batch is in the worker at a time: writes
 * made while it commits wait in the outbox and go together as the next batch (group commit, batched
 * once, here). Each promise resolves after the transaction holding it has committed. If the worker
 * dies, every write it had not answered fails at once (its transaction may or may not have
 * committed: a retried send with the same clientId finds out) and the worker is restarted.
 */
export class SqliteWriterClient {
  private host: SupervisedWorker<ToWriter, FromWriter>;
  private waiters = new Map<number, { resolve: (r: OkResult) => void; reject: (e: Error) => void }>();
  private outbox: WriteOp[] = [];
  private nextRid = 1;
  private flushScheduled = false;
  /** A batch is in the worker and not yet answered. */
  private committing = false;
  private onIdle: (() => void)[] = [];

  constructor(path: string, settings: SqliteSettings, workerUrl: string | URL, log: Logger) {
    this.host = new SupervisedWorker<ToWriter, FromWriter>({
      name: "sqlite-writer",
      url: workerUrl,
      init: () => ({ kind: "init", path, settings }),
      onMessage: (m) => this.onWriter(m),
      onDown: (reason) => this.failPending(reason),
      log,
    });
  }

  start() {
    return this.host.start();
  }

  get worker(): SupervisedWorker<ToWriter, FromWriter> {
    return this.host;
  }

  async append(draft: MessageDraft): Promise<AppendResult> {
    const r = await this.write({ op: "append", draft });
    // A new message comes back as its seq: the message is the draft this thread already holds.
    if ("seq" in r) return { message: messageOf(draft, r.seq), duplicate: false };
    return { message: (r as Extract<OkResult, { duplicate: unknown }>).duplicate, duplicate: true };
  }

  /** Applies an edit, deletion or reaction in the next batch, with the room's next seq. */
  async change(draft: ChangeDraft): Promise<ChangeResult> {
    const r = await this.write({ op: "change", draft });
    return (r as Extract<OkResult, { change: unknown }>).change;
  }

  async advanceRead(room: string, userId: string, seq: number): Promise<number> {
    const r = await this.write({ op: "read", room, userId, seq });
    return (r as Extract<OkResult, { cursor: number }>).cursor;
  }

  /** Writes sent and not yet committed. */
  get inFlight(): number {
    return this.waiters.size;
  }

  async close() {
    // Writes already accepted commit first (bounded: a stuck worker is closed anyway).
    if (this.host.isUp && (this.committing || this.outbox.length)) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        new Promise<void>((resolve) => this.onIdle.push(resolve)),
        new Promise<void>((resolve) => (timer = setTimeout(resolve, DRAIN_MS))),
      ]);
      clearTimeout(timer);
    }
    await this.host.close({ kind: "close" });
    this.failPending("message writer closed");
  }

  private write(op: DistributiveOmit<WriteOp, "rid">): Promise<OkResult> {
    if (!this.host.isUp) return Promise.reject(new Error("message writer is not running"));
    const rid = this.nextRid++;
    this.outbox.push({ ...op, rid } as WriteOp);
    // Within one event-loop turn the writes gather; the batch goes after it unless one is committing.
    if (!this.flushScheduled && !this.committing) {
      this.flushScheduled = true;
      queueMicrotask(() => this.flushOutbox());
    }
    return new Promise((resolve, reject) => this.waiters.set(rid, { resolve, reject }));
  }

  private flushOutbox() {
    this.flushScheduled = false;
    if (this.committing || this.outbox.length === 0) return;
    const ops = this.outbox;
    this.outbox = [];
    this.committing = true;
    if (!this.host.post({ kind: "write", ops: JSON.stringify(ops) })) this.failPending("message writer is not running");
  }

  private onWriter(m: FromWriter) {
    if (m.kind !== "written") return;
    this.committing = false;
    // What gathered meanwhile goes now, before the waiters' continuations run.
    this.flushOutbox();
    for (const r of JSON.parse(m.results) as WriteResult[]) {
      const waiter = this.waiters.get(r.rid);
      if (!waiter) continue;
      this.waiters.delete(r.rid);
      if (r.ok) waiter.resolve(r);
      else waiter.reject(new Error(r.error));
    }
    if (!this.committing) this.idle();
  }

  private failPending(reason: string) {
    const error = new Error(reason);
    const waiters = [...this.waiters.values()];
    this.waiters.clear();
    this.outbox = [];
    this.committing = false;
    for (const w of waiters) w.reject(error);
    this.idle();
  }

  private idle() {
    const resolvers = this.onIdle;
    this.onIdle = [];
    for (const r of resolvers) r();
  }
}
