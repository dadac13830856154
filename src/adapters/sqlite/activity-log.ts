import { analyticsWindow } from "../../domain/analytics/window.ts";
import type { ActivitySink, Analytics, EngineHealth } from "../../ports/index.ts";
import type { ActivityEvent, AnalyticsRange, AnalyticsReport } from "../../protocol/index.ts";
import type { Logger } from "../../observability/logger.ts";
import { SupervisedWorker } from "../../threads/supervised-worker.ts";
import type { FromActivityWorker, ToActivityWorker } from "./activity-protocol.ts";

const FLUSH_MS = 100;
/** Beyond this many unsent events (worker stuck), new ones are dropped and counted. */
const BUFFER_MAX = 50_000;

/**
 * Embedded activity log and analytics: events are buffered on the socket thread and handed to the
 * activity worker every 100 ms (one postMessage per batch); aggregations run on the worker too.
 */
export class SqliteActivityLog implements ActivitySink, Analytics {
  private host: SupervisedWorker<ToActivityWorker, FromActivityWorker>;
  private buffer: ActivityEvent[] = [];
  private timer: ReturnType<typeof setInterval> | undefined;
  private waiters = new Map<number, { resolve: (r: AnalyticsReport) => void; reject: (e: Error) => void }>();
  private nextRid = 1;
  private dropped = 0;

  constructor(path: string, retentionMs: number, workerUrl: string | URL, log: Logger) {
    this.host = new SupervisedWorker<ToActivityWorker, FromActivityWorker>({
      name: "activity",
      url: workerUrl,
      init: () => ({ kind: "init", path, retentionMs }),
      onMessage: (m) => this.onWorker(m),
      // Reports it was computing will not come; events already handed over may be lost (best effort).
      onDown: (reason) => this.failReports(reason),
      log,
    });
  }

  async start() {
    await this.host.start();
    this.timer = setInterval(() => this.flush(), FLUSH_MS);
  }

  workers() {
    return [this.host];
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
    const rid = this.nextRid++;
    if (!this.host.post({ kind: "report", rid, window: analyticsWindow(range, now) })) {
      return Promise.reject(new Error("activity worker is not running"));
    }
    return new Promise((resolve, reject) => this.waiters.set(rid, { resolve, reject }));
  }

  async health(): Promise<EngineHealth> {
    return { name: "activity", ok: this.host.isUp, buffered: this.buffer.length, dropped: this.dropped };
  }

  async close() {
    clearInterval(this.timer);
    this.flush();
    await this.host.close({ kind: "close" });
    this.failReports("activity worker closed");
  }

  private flush() {
    if (this.buffer.length === 0 || !this.host.isUp) return; // kept (bounded) until the worker is back
    const events = this.buffer;
    this.buffer = [];
    this.host.post({ kind: "events", events });
  }

  private failReports(reason: string) {
    const waiters = [...this.waiters.values()];
    this.waiters.clear();
    for (const w of waiters) w.reject(new Error(reason));
  }

  private onWorker(m: Exclude<FromActivityWorker, { kind: "ready" | "fatal" | "closed" }>) {
    const waiter = this.waiters.get(m.rid);
    if (!waiter) return;
    this.waiters.delete(m.rid);
    if (m.kind === "report") waiter.resolve(m.report);
    else waiter.reject(new Error(m.error));
  }
}
