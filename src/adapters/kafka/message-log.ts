import type { AppendResult, MessageDraft } from "../../domain/model.ts";
import { errorFields, type Logger } from "../../observability/logger.ts";
import type { MessageLog, MessageReader } from "../../ports/index.ts";
import type { BatchingProducer } from "./batching-producer.ts";
import type { RedisPipelineState } from "./redis-pipeline.ts";

/**
 * Scale-out message log. Redis assigns the seq and records the idempotency key in one atomic step;
 * the message is then durable once Kafka acknowledges it. When Kafka cannot take it, it is parked
 * in Redis (7 days) and still accepted: the pipeline worker re-publishes it with backoff.
 * A persistence worker moves messages from Kafka into MongoDB.
 */
export class KafkaMessageLog implements MessageLog {
  /** One seeding per room per process, shared by concurrent first appends. */
  private seeded = new Map<string, Promise<void>>();
  /** After a failed produce, park straight away for a while instead of waiting on a dead broker. */
  private kafkaDownUntil = 0;

  constructor(
    private state: RedisPipelineState,
    private producer: BatchingProducer,
    private reader: MessageReader,
    private firstRetryMs: number,
    private log: Logger,
  ) {}

  async append(draft: MessageDraft): Promise<AppendResult> {
    let seeding = this.seeded.get(draft.room);
    if (!seeding) {
      seeding = this.state.seedSeq(draft.room, async () => (await this.reader.latest([draft.room])).get(draft.room)?.seq ?? 0);
      this.seeded.set(draft.room, seeding);
      seeding.catch(() => this.seeded.delete(draft.room)); // try again on the next append
    }
    await seeding;
    const accepted = await this.state.accept(draft);
    if (accepted.duplicate) return accepted;
    if (Date.now() >= this.kafkaDownUntil) {
      try {
        await this.producer.send(accepted.message);
        return accepted;
      } catch (err) {
        if (Date.now() >= this.kafkaDownUntil) this.log.warn("kafka unavailable, parking messages", errorFields(err));
        this.kafkaDownUntil = Date.now() + this.firstRetryMs;
      }
    }
    await this.state.park(accepted.message, Date.now() + this.firstRetryMs);
    return accepted;
  }

  backlog(): Promise<number> {
    return this.state.parkedCount();
  }
}
