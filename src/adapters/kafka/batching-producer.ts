import type { Kafka, Producer } from "kafkajs";
import type { ChatMessage } from "../../domain/model.ts";

interface Waiter {
  message: ChatMessage;
  done: (err: Error | null) => void;
}

/**
 * Produces chat messages keyed by room (per-room order within a partition), idempotent with acks
 * from all in-sync replicas. Messages that arrive while a request is in flight go out together in
 * the next one: one round trip per batch, not per message.
 */
export class BatchingProducer {
  private producer: Producer;
  private queue: Waiter[] = [];
  private sending = false;

  constructor(kafka: Kafka, private topic: string, private timeoutMs: number, private maxBatch = 1000) {
    this.producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false, retry: { retries: 2 } });
  }

  async start() {
    await this.producer.connect();
  }

  async close() {
    await this.producer.disconnect();
  }

  /** Resolves when Kafka acknowledged the message; rejects when it could not take it in time. */
  send(message: ChatMessage): Promise<void> {
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
            messages: batch.map((w) => ({ key: w.message.room, value: JSON.stringify(w.message) })),
          }),
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error("kafka produce timed out")), this.timeoutMs);
          }),
        ]);
        for (const w of batch) w.done(null);
      } catch (err) {
        const error = err instanceof Error ? err : new Error(String(err));
        for (const w of batch) w.done(error);
      } finally {
        clearTimeout(timer);
      }
    }
    this.sending = false;
  }
}
