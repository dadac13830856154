import type { AppendResult, MessageDraft } from "../../domain/model.ts";
import type { Logger } from "../../observability/logger.ts";
import { SupervisedWorker } from "../../workers/supervised-worker.ts";
import type { SqliteSettings } from "./database.ts";
import type { FromWriter, ToWriter, WriteOp, WriteResult } from "./writer-protocol.ts";

type OkResult = Extract<WriteResult, { ok: true }>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/**
 * The socket thread's handle on the writer worker. Writes are batched per event-loop turn; each
 * promise resolves after the transaction holding it has committed. If the worker dies, every write
 * it had not answered fails at once (its transaction may or may not have committed: a retried send
 * with the same clientId finds out) and the worker is restarted.
 */
export class SqliteWriterClient {
  private host: SupervisedWorker<ToWriter, FromWriter>;
  private waiters = new Map<number, { resolve: (r: OkResult) => void; reject: (e: Error) => void }>();
  private outbox: WriteOp[] = [];
  private nextRid = 1;
  private flushScheduled = false;

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
    return (r as Extract<OkResult, { append: AppendResult }>).append;
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
    this.flushOutbox();
    await this.host.close({ kind: "close" });
    this.failPending("message writer closed");
  }

  private write(op: DistributiveOmit<WriteOp, "rid">): Promise<OkResult> {
    if (!this.host.isUp) return Promise.reject(new Error("message writer is not running"));
    const rid = this.nextRid++;
    this.outbox.push({ ...op, rid } as WriteOp);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      queueMicrotask(() => this.flushOutbox());
    }
    return new Promise((resolve, reject) => this.waiters.set(rid, { resolve, reject }));
  }

  private flushOutbox() {
    this.flushScheduled = false;
    if (this.outbox.length === 0) return;
    const ops = this.outbox;
    this.outbox = [];
    if (!this.host.post({ kind: "write", ops })) this.failPending("message writer is not running");
  }

  private onWriter(m: Extract<FromWriter, { kind: "written" }>) {
    for (const r of m.results) {
      const waiter = this.waiters.get(r.rid);
      if (!waiter) continue;
      this.waiters.delete(r.rid);
      if (r.ok) waiter.resolve(r);
      else waiter.reject(new Error(r.error));
    }
  }

  private failPending(reason: string) {
    const error = new Error(reason);
    const waiters = [...this.waiters.values()];
    this.waiters.clear();
    this.outbox = [];
    for (const w of waiters) w.reject(error);
  }
}
