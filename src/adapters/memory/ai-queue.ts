import { settleWithin, Slots } from "../../domain/ai/slots.ts";

/** Answers in progress get this long to finish at shutdown. */
const CLOSE_GRACE_MS = 5000;
import type { AiJob, AiJobHandler, AiRequestQueue } from "../../ports/index.ts";

/** Embedded mode: jobs are served by this process, at most `concurrency` at once. */
export class InProcessAiQueue implements AiRequestQueue {
  private handler: AiJobHandler | null = null;
  private early: AiJob[] = [];
  private slots: Slots;
  private running = new Set<Promise<void>>();
  private closed = false;

  constructor(concurrency = 64) {
    this.slots = new Slots(concurrency);
  }

  serve(handler: AiJobHandler): void {
    this.handler = handler;
    for (const job of this.early.splice(0)) void this.enqueue(job);
  }

  async enqueue(job: AiJob): Promise<void> {
    if (this.closed) return;
    const handler = this.handler;
    if (!handler) {
      this.early.push(job);
      return;
    }
    await this.slots.start(() => this.track(handler(job)));
  }

  /** Waits for answers in progress (bounded by the model timeout), so they are stored before shutdown. */
  async close(): Promise<void> {
    this.closed = true;
    await settleWithin([...this.running], CLOSE_GRACE_MS);
  }

  private track(p: Promise<void>): Promise<void> {
    this.running.add(p);
    return p.finally(() => this.running.delete(p));
  }
}
