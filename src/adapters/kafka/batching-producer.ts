import type { Kafka, Producer } from "kafkajs";
import type { ChatMessage } from "../../domain/model.ts";
import { backoffMs } from "../../domain/backoff.ts";

interface Waiter<T> {
  message: T;
  done: (err: Error | null) => void;
}

const byRoom = (m: ChatMessage) => m.room;

/**
 * Produces records (chat messages keyed by room: per-room order within a partition), idempotent with acks
 * from all in-sync replicas. Messages that arrive while a request is in flight go out together in
 * the next one: one round trip per batch, not per message.
 */
export class BatchingProducer<T = ChatMessage> {
  private producer: Producer;
  private queue: Waiter<T>[] = [];
  private sending = false;
  private connected = false;
  private closed = false;

  constructor(
    kafka: Kafka,
    private topic: string,
    private timeoutMs: number,
    private maxBatch = 1000,
    private keyOf: (record: T) => string = byRoom as unknown as (record: T) => string,
  ) {
    this.producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false, retry: { retries: 2 } });
  }

  /**
   * Connects in the background, retrying with capped backoff, so an instance starts (and parks
   * messages) while Kafka is down. `before` runs first on every attempt (e.g. creating topics).
   */
  start(before: () => Promise<void> = async () => {}, onError: (err: unknown) => void = () => {}): void {
    void (async () => {
      for (let attempt = 0; !this.closed; attempt++) {
        try {
          await before();
          await this.producer.connect();
          this.connected = true;
          return;
        } catch (err) {
          onError(err);
          await new Promise((r) => setTimeout(r, backoffMs(attempt)));
        }
      }
    })();
  }

  get isConnected(): boolean {
    return this.connected;
  }

  async close() {
    this.closed = true;
    if (this.connected) await this.producer.disconnect();
  }

  /** Resolves when Kafka acknowledged the message; rejects when it could not take it in time. */
  send(message: T): Promise<void> {
    if (!this.connected) return Promise.reject(new Error("kafka producer is not connected yet"));
    return new Promise((resolve, reject) => {
      this.queue.push({ message, done: (err) => (err ? reject(err) : resolve()) });
      if (!this.sending) void this.pump();
    });
  }

  private async pump() {
    this.sending = true;
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      let timer: ReturnType<typeof setTimeout> | undefined;
      try {
        await Promise.race([
          this.producer.send({
            topic: this.topic,
            acks: -1,
            messages: batch.map((w) => ({ key: this.keyOf(w.message), value: JSON.stringify(w.message) })),
          }),
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error("kafka produce timed out")), this.timeoutMs);
          }),
        ]);
        for (const w of batch) w.done(null);
      } catch (err) {
        const error = err instanceof Error ? err : new Error(String(err));
        // Whatever queued behind a failed request would most likely wait out the same outage.
        for (const w of [...batch, ...this.queue.splice(0)]) w.done(error);
      } finally {
        clearTimeout(timer);
      }
    }
    this.sending = false;
  }
}
