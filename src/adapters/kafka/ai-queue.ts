import type { Consumer, Kafka, Producer } from "kafkajs";
import { z } from "zod";
import { settleWithin, Slots } from "../../domain/ai/slots.ts";

/** Answers in progress get this long to finish at shutdown. */
const CLOSE_GRACE_MS = 5000;
import { errorFields, type Logger } from "../../observability/logger.ts";
import type { AiJob, AiJobHandler, AiRequestQueue, EngineHealth } from "../../ports/index.ts";
import type { RedisClient } from "../redis/connection.ts";
import { ensureTopics } from "./kafka-client.ts";
import { backoffMs } from "../../domain/backoff.ts";

export interface KafkaAiQueueSettings {
  topic: string;
  groupId: string;
  partitions: number;
  replication: number;
  /** Jobs this instance serves at once; past it, its partitions wait. */
  concurrency?: number;
  /** Older requests are dropped unanswered (e.g. a new consumer group replaying the topic). */
  maxAgeMs?: number;
  /** How long an enqueue may wait for Kafka before the job is served locally instead. */
  enqueueTimeoutMs?: number;
}

const jobSchema = z.object({
  id: z.string().min(1).max(64),
  room: z.string().min(1).max(128),
  seq: z.number().int().nonnegative(),
  prompt: z.string(),
  requestedAt: z.number(),
});

const CLAIM_TTL_MS = 24 * 3600_000;

/**
 * `/ai` requests through Kafka (`chat.ai`), consumed by one group shared by every instance, so
 * whichever instance owns the partition serves the job on its AI worker. Keyed by job id, which
 * spreads jobs over partitions. A Redis claim (SET NX) per job id makes redelivery (rebalance
 * before commit, producer retry, local fallback racing a late send) serve a job at most once.
 * Offsets are committed once a job has started: a job whose instance dies mid-answer is not redone.
 */
export class KafkaAiQueue implements AiRequestQueue {
  private producer: Producer;
  private consumer: Consumer;
  private handler: AiJobHandler | null = null;
  private handlerSet: Promise<void>;
  private setHandler!: () => void;
  private slots: Slots;
  private running = new Set<Promise<void>>();
  private producerReady = false;
  private consuming = false;
  /** Partitions of the topic this instance owns since the last rebalance. */
  private assigned = 0;
  private closed = false;

  constructor(
    private kafka: Kafka,
    private redis: RedisClient,
    private s: KafkaAiQueueSettings,
    private log: Logger,
    private claimPrefix = "ai:claim:",
  ) {
    this.producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false, retry: { retries: 2 } });
    this.consumer = kafka.consumer({ groupId: s.groupId, retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 500, maxRetryTime: 10_000 } });
    this.consumer.on(this.consumer.events.GROUP_JOIN, (e) => {
      this.assigned = e.payload.memberAssignment[s.topic]?.length ?? 0;
    });
    this.slots = new Slots(s.concurrency ?? 64);
    this.handlerSet = new Promise((resolve) => (this.setHandler = resolve));
  }

  /** Connects in the background: startup waits for neither Kafka nor a group rebalance. */
  async start(): Promise<void> {
    void this.retrying("ai queue producer not connected yet", async () => {
      await ensureTopics(this.kafka, [{ topic: this.s.topic, partitions: this.s.partitions, replication: this.s.replication }]);
      await this.producer.connect();
      this.producerReady = true;
    });
    void this.retrying("ai queue consumer not started yet", async () => {
      await this.handlerSet;
      if (this.closed) return;
      await this.consumer.connect();
      await this.consumer.subscribe({ topic: this.s.topic, fromBeginning: true });
      await this.consumer.run({
        partitionsConsumedConcurrently: this.s.partitions,
        // Resolves once the job holds a slot, so the offset is committed while the answer streams.
        eachMessage: async ({ message, partition }) => {
          const job = this.decode(message.value, partition, message.offset);
          if (job) await this.accept(job);
        },
      });
      this.consuming = true;
    }, () => this.consumer.disconnect().catch(() => {}));
  }

  serve(handler: AiJobHandler): void {
    this.handler = handler;
    this.setHandler();
  }

  async enqueue(job: AiJob): Promise<void> {
    if (!this.closed && this.producerReady) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      try {
        await Promise.race([
          this.producer.send({ topic: this.s.topic, acks: -1, messages: [{ key: job.id, value: JSON.stringify(job) }] }),
          new Promise((_, reject) => (timer = setTimeout(() => reject(new Error("ai enqueue timed out")), this.s.enqueueTimeoutMs ?? 3000))),
        ]);
        return;
      } catch (err) {
        this.log.warn("ai request not queued, serving it here", { job: job.id, ...errorFields(err) });
      } finally {
        clearTimeout(timer);
      }
    }
    // Kafka unavailable: answer from this instance; the claim still guards against a late send.
    await this.accept(job).catch((err) => this.log.warn("ai request dropped", { job: job.id, ...errorFields(err) }));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.setHandler();
    // Leaving the group can wait on a rebalance (e.g. behind a killed member): never for long.
    await settleWithin([this.consumer.disconnect()], CLOSE_GRACE_MS);
    await settleWithin([...this.running], CLOSE_GRACE_MS);
    if (this.producerReady) await settleWithin([this.producer.disconnect()], CLOSE_GRACE_MS);
  }

  /** Always ok: without Kafka, requests are served where they were asked (see enqueue). */
  async health(): Promise<EngineHealth> {
    const ready = this.producerReady && this.consuming;
    return {
      name: "kafka-ai",
      ok: true,
      partitions: this.assigned,
      serving: this.slots.busy,
      ...(ready ? {} : { detail: "not connected: serving requests locally" }),
    };
  }

  private async accept(job: AiJob): Promise<void> {
    if (Date.now() - job.requestedAt > (this.s.maxAgeMs ?? 10 * 60_000)) {
      this.log.info("stale ai request dropped", { job: job.id });
      return;
    }
    const claimed = await this.redis.set(this.claimPrefix + job.id, "1", { condition: "NX", expiration: { type: "PX", value: CLAIM_TTL_MS } });
    if (claimed !== "OK") return;
    this.log.info("ai request taken", { job: job.id });
    const handler = this.handler;
    if (!handler) return;
    await this.slots.start(() => this.track(handler(job)));
  }

  private decode(value: Buffer | null, partition: number, offset: string): AiJob | null {
    try {
      return jobSchema.parse(JSON.parse(value?.toString("utf8") ?? "null"));
    } catch {
      this.log.error("undecodable ai request skipped", { partition, offset });
      return null;
    }
  }

  private track(p: Promise<void>): Promise<void> {
    this.running.add(p);
    return p.finally(() => this.running.delete(p));
  }

  private async retrying(what: string, step: () => Promise<void>, cleanup: () => Promise<unknown> = async () => {}) {
    for (let attempt = 0; !this.closed; attempt++) {
      try {
        return await step();
      } catch (err) {
        this.log.warn(what, errorFields(err));
        await cleanup();
        await new Promise((r) => setTimeout(r, backoffMs(attempt)));
      }
    }
  }
}
