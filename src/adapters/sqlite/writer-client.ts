import type { AppendResult, MessageDraft } from "../../domain/model.ts";
import type { SqliteSettings } from "./database.ts";
import type { FromWriter, ToWriter, WriteOp, WriteResult } from "./writer-protocol.ts";

type OkResult = Extract<WriteResult, { ok: true }>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/**
 * The socket thread's handle on the writer worker. Writes are batched per event-loop turn; each
 * promise resolves after the transaction holding it has committed.
 */
export class SqliteWriterClient {
  private worker: Worker | null = null;
  private waiters = new Map<number, { resolve: (r: OkResult) => void; reject: (e: Error) => void }>();
  private outbox: WriteOp[] = [];
  private nextRid = 1;
  private flushScheduled = false;

  constructor(private path: string, private settings: SqliteSettings, private workerUrl: string | URL) {}

  async start() {
    const worker = new Worker(this.workerUrl);
    this.worker = worker;
    await new Promise<void>((resolve, reject) => {
      worker.onmessage = (e: MessageEvent<FromWriter>) => {
        const m = e.data;
        if (m.kind === "ready") resolve();
        else if (m.kind === "fatal") reject(new Error(`message writer: ${m.error}`));
        else this.onWriter(m);
      };
      worker.onerror = (e) => reject(new Error(`message writer crashed: ${e.message}`));
      this.post({ kind: "init", path: this.path, settings: this.settings });
    });
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
    const worker = this.worker;
    if (!worker) return;
    this.flushOutbox();
    await new Promise<void>((resolve) => {
      const timeout = setTimeout(resolve, 5000);
      worker.onmessage = (e: MessageEvent<FromWriter>) => {
        if (e.data.kind !== "closed") return this.onWriter(e.data);
        clearTimeout(timeout);
        resolve();
      };
      this.post({ kind: "close" });
    });
    worker.terminate();
    this.worker = null;
  }

  private write(op: DistributiveOmit<WriteOp, "rid">): Promise<OkResult> {
    if (!this.worker) return Promise.reject(new Error("message writer is not running"));
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
    this.post({ kind: "write", ops });
  }

  private onWriter(m: FromWriter) {
    if (m.kind !== "written") return;
    for (const r of m.results) {
      const waiter = this.waiters.get(r.rid);
      if (!waiter) continue;
      this.waiters.delete(r.rid);
      if (r.ok) waiter.resolve(r);
      else waiter.reject(new Error(r.error));
    }
  }

  private post(m: ToWriter) {
    this.worker!.postMessage(m);
  }
}
