import type { Kafka } from "kafkajs";
import { errorFields, type Logger } from "../../observability/logger.ts";
import type { ActivitySink, EngineHealth } from "../../ports/index.ts";
import { activityEventSchema, type ActivityEvent } from "../../protocol/index.ts";
import type { RedisClient } from "../redis/connection.ts";
import { BatchingProducer } from "./batching-producer.ts";
import { ensureTopics } from "./kafka-client.ts";

const RELAY_BATCH = 500;

/**
 * Activity events to the `chat.activity` topic through the batching producer, keyed by room (else
 * user) so one conversation's events stay in order. An event Kafka cannot take is parked in a Redis
 * list and re-sent by a relay loop (LPOP, so instances sharing the list never send one twice from
 * it; one that fails goes back). Redis down too: the event is counted as dropped — never an error
 * for the user. At-least-once: the indexer dedupes by event id.
 */
export class KafkaActivitySink implements ActivitySink {
  private producer: BatchingProducer<ActivityEvent>;
  private timer: ReturnType<typeof setInterval> | undefined;
  private relaying = false;
  private dropped = 0;
  private readonly key: string;

  constructor(
    private kafka: Kafka,
    private redis: RedisClient,
    private topic: { topic: string; partitions: number; replication: number },
    private retryMs: number,
    private log: Logger,
  ) {
    this.producer = new BatchingProducer<ActivityEvent>(kafka, topic.topic, 5000, 1000, (e) => e.room ?? e.user ?? e.id);
    this.key = `activity:parked:${topic.topic}`;
  }

  async start() {
    this.producer.start(
      () => ensureTopics(this.kafka, [this.topic]),
      (err) => this.log.warn("kafka not reachable yet (activity)", errorFields(err)),
    );
    this.timer = setInterval(() => void this.relay(), this.retryMs);
  }

  emit(event: ActivityEvent): void {
    this.producer.send(event).catch(() => this.park([event]));
  }

  async health(): Promise<EngineHealth> {
    const parked = await this.redis.lLen(this.key).catch(() => -1);
    return { name: "activity", ok: this.producer.isConnected, parked, dropped: this.dropped };
  }

  async close() {
    clearInterval(this.timer);
    await this.producer.close().catch(() => {});
  }

  private park(events: ActivityEvent[]) {
    this.redis.rPush(this.key, events.map((e) => JSON.stringify(e))).catch((err) => {
      this.dropped += events.length;
      this.log.warn("activity events dropped: neither kafka nor redis took them", { count: events.length, ...errorFields(err) });
    });
  }

  private async relay() {
    if (this.relaying || !this.producer.isConnected) return;
    this.relaying = true;
    try {
      const raw = (await this.redis.lPopCount(this.key, RELAY_BATCH)) ?? [];
      const events = raw.flatMap((r) => {
        const parsed = activityEventSchema.safeParse(JSON.parse(r));
        return parsed.success ? [parsed.data] : [];
      });
      const results = await Promise.allSettled(events.map((e) => this.producer.send(e)));
      const failed = events.filter((_, i) => results[i]!.status === "rejected");
      if (failed.length) this.park(failed);
    } catch (err) {
      this.log.warn("activity relay failed", errorFields(err));
    } finally {
      this.relaying = false;
    }
  }
}
