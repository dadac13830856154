import type { Client } from "@elastic/elasticsearch";
import type { ChatMessage } from "../../domain/model.ts";
import { errorFields, type Logger } from "../../observability/logger.ts";
import type { ActivitySink, EngineHealth } from "../../ports/index.ts";
import type { ActivityEvent } from "../../protocol/index.ts";
import { bulkWrite } from "./bulk-writer.ts";
import { activityDoc, messageDoc, type BulkDoc } from "./documents.ts";
import type { IndexNames } from "./indices.ts";

const FLUSH_MS = 500;
const BATCH_MAX = 2000;
/** Beyond this many waiting documents (a long outage) the oldest are dropped and counted. */
const BUFFER_MAX = 200_000;

/**
 * Without Kafka, an instance indexes its own events and messages: they queue in memory and go out
 * in bulk every half second from a timer, never on the caller's path; a failed batch stays at the
 * head of the queue and is retried with capped backoff.
 */
export class DirectIndexer implements ActivitySink {
  private queue: BulkDoc[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private backoffMs = FLUSH_MS;
  private flushing: Promise<void> = Promise.resolve();
  private closed = false;
  private stats = { indexed: 0, parked: 0, dropped: 0, failingSince: null as number | null };

  constructor(private client: Client, private names: IndexNames, private ready: Promise<void>, private log: Logger) {}

  async start() {
    this.schedule(FLUSH_MS);
  }

  emit(event: ActivityEvent): void {
    this.push(activityDoc(this.names, event));
  }

  message(m: ChatMessage): void {
    this.push(messageDoc(this.names, m));
  }

  async health(): Promise<EngineHealth> {
    return { name: "indexer", ok: this.stats.failingSince === null, queued: this.queue.length, ...this.stats, failingSince: this.stats.failingSince ?? undefined };
  }

  async close() {
    this.closed = true;
    clearTimeout(this.timer);
    // A last flush for what is queued, bounded: a cluster that is down must not hold up shutdown.
    const bounded = (p: Promise<unknown>) => Promise.race([p.catch(() => {}), new Promise((r) => setTimeout(r, 5000))]);
    await bounded(this.flushing);
    await bounded(this.flush());
  }

  private push(doc: BulkDoc) {
    if (this.queue.length >= BUFFER_MAX) {
      this.queue.shift();
      this.stats.dropped++;
    }
    this.queue.push(doc);
  }

  private schedule(ms: number) {
    if (this.closed) return;
    this.timer = setTimeout(() => {
      this.flushing = this.flush().then(
        () => {
          this.backoffMs = FLUSH_MS;
          this.schedule(FLUSH_MS);
        },
        (err) => {
          this.stats.failingSince ??= Date.now();
          this.log.warn("indexing failed, will retry", errorFields(err));
          this.backoffMs = Math.min(this.backoffMs * 2, 30_000);
          this.schedule(this.backoffMs);
        },
      );
    }, ms);
  }

  status() {
    return { lag: this.queue.length, parked: this.stats.parked };
  }

  private async flush() {
    await this.ready;
    while (this.queue.length > 0) {
      const batch = this.queue.slice(0, BATCH_MAX);
      const rejected = await bulkWrite(this.client, this.names, batch);
      this.queue.splice(0, batch.length);
      this.stats.indexed += batch.length - rejected.length;
      this.stats.parked += rejected.length;
      this.stats.failingSince = null;
      if (rejected.length) this.log.warn("documents rejected by elasticsearch, parked", { count: rejected.length, index: rejected[0]!.doc.index });
    }
  }
}
