import { analyticsWindow } from "../../domain/analytics/window.ts";
import type { ActivitySink, Analytics, EngineHealth } from "../../ports/index.ts";
import type { ActivityEvent, AnalyticsRange, AnalyticsReport } from "../../protocol/index.ts";
import type { FromActivityWorker, ToActivityWorker } from "./activity-protocol.ts";

const FLUSH_MS = 100;
/** Beyond this many unsent events (worker stuck), new ones are dropped and counted. */
const BUFFER_MAX = 50_000;

/**
 * Embedded activity log and analytics: events are buffered on the socket thread and handed to the
 * activity worker every 100 ms (one postMessage per batch); aggregations run on the worker too.
 */
export class SqliteActivityLog implements ActivitySink, Analytics {
  private worker: Worker | null = null;
  private buffer: ActivityEvent[] = [];
  private timer: ReturnType<typeof setInterval> | undefined;
  private waiters = new Map<number, { resolve: (r: AnalyticsReport) => void; reject: (e: Error) => void }>();
  private nextRid = 1;
  private dropped = 0;

  constructor(private path: string, private retentionMs: number, private workerUrl: string | URL) {}

  async start() {
    const worker = new Worker(this.workerUrl);
    this.worker = worker;
    await new Promise<void>((resolve, reject) => {
      worker.onmessage = (e: MessageEvent<FromActivityWorker>) => {
        const m = e.data;
        if (m.kind === "ready") resolve();
        else if (m.kind === "fatal") reject(new Error(`activity worker: ${m.error}`));
        else this.onWorker(m);
      };
      worker.onerror = (e) => reject(new Error(`activity worker crashed: ${e.message}`));
      this.post({ kind: "init", path: this.path, retentionMs: this.retentionMs });
    });
    this.timer = setInterval(() => this.flush(), FLUSH_MS);
  }

  emit(event: ActivityEvent): void {
    if (this.buffer.length >= BUFFER_MAX) {
      this.dropped++;
      return;
    }
    this.buffer.push(event);
  }

  report(range: AnalyticsRange, now: number): Promise<AnalyticsReport> {
    this.flush();
    if (!this.worker) return Promise.reject(new Error("activity worker is not running"));
    const rid = this.nextRid++;
    this.post({ kind: "report", rid, window: analyticsWindow(range, now) });
    return new Promise((resolve, reject) => this.waiters.set(rid, { resolve, reject }));
  }

  async health(): Promise<EngineHealth> {
    return { name: "activity", ok: this.worker !== null, buffered: this.buffer.length, dropped: this.dropped };
  }

  async close() {
    clearInterval(this.timer);
    this.flush();
    const worker = this.worker;
    if (!worker) return;
    await new Promise<void>((resolve) => {
      const timeout = setTimeout(resolve, 5000);
      worker.onmessage = (e: MessageEvent<FromActivityWorker>) => {
        if (e.data.kind !== "closed") return this.onWorker(e.data);
        clearTimeout(timeout);
        resolve();
      };
      this.post({ kind: "close" });
    });
    worker.terminate();
    this.worker = null;
  }

  private flush() {
    if (this.buffer.length === 0 || !this.worker) return;
    const events = this.buffer;
    this.buffer = [];
    this.post({ kind: "events", events });
  }

  private onWorker(m: FromActivityWorker) {
    if (m.kind !== "report" && m.kind !== "failed") return;
    const waiter = this.waiters.get(m.rid);
    if (!waiter) return;
    this.waiters.delete(m.rid);
    if (m.kind === "report") waiter.resolve(m.report);
    else waiter.reject(new Error(m.error));
  }

  private post(m: ToActivityWorker) {
    this.worker!.postMessage(m);
  }
}
