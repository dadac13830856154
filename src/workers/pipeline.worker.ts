/// <reference lib="webworker" />
/**
 * The pipeline worker: persists messages from Kafka into MongoDB and publishes what is left in the
 * Redis outbox (parked messages). On its own thread so neither loop competes with socket work;
 * reports its status (persisted count, consumer lag, failing writes) to the socket thread.
 */
import { BatchingProducer } from "../adapters/kafka/batching-producer.ts";
import { createKafka } from "../adapters/kafka/kafka-client.ts";
import { RedisPipelineState } from "../adapters/redis/pipeline-state.ts";
import { MongoConnection } from "../adapters/mongodb/connection.ts";
import { MongoMessageStore } from "../adapters/mongodb/message-store.ts";
import { connectRedis } from "../adapters/redis/connection.ts";
import { createLogger, errorFields, type Logger } from "../observability/logger.ts";
import { startOutboxRelay } from "../adapters/kafka/outbox-relay.ts";
import { lagProbe, startPersistenceConsumer } from "../adapters/kafka/persistence-consumer.ts";
import type { FromPipelineWorker, PipelineWorkerInit } from "../adapters/kafka/pipeline-protocol.ts";
import { hostWorker } from "../threads/worker-host.ts";

declare const self: Worker;
const post = (m: FromPipelineWorker) => self.postMessage(m);
const STATUS_EVERY_MS = 2000;

async function start(cfg: PipelineWorkerInit): Promise<() => Promise<void>> {
  const log: Logger = createLogger(cfg.logLevel, { worker: "pipeline" });
  // Batches are large: a bulk write gets four times the bound of a user's request.
  const mongo = new MongoConnection({ uri: cfg.mongoUri, timeoutMS: cfg.timeoutMs * 4 });
  await mongo.start();
  const store = new MongoMessageStore(mongo.db, { deferCursorMoves: true });
  const redis = await connectRedis(cfg.redisUrl, log, cfg.timeoutMs);
  const state = new RedisPipelineState(redis.cmd, cfg.topic);
  const kafka = createKafka({ brokers: cfg.brokers, clientId: `${cfg.clientId}-pipeline`, requestTimeoutMs: cfg.timeoutMs }, log);
  const producer = new BatchingProducer(kafka, cfg.topic, 10_000);
  producer.start(async () => {}, (err) => log.warn("kafka not reachable yet", errorFields(err)));

  const consumer = startPersistenceConsumer({
    kafka,
    topic: cfg.topic,
    groupId: cfg.groupId,
    log,
    target: {
      async write(messages) {
        const { conflicts } = await store.bulkUpsert(messages);
        // Another message holds their seq or clientId: retrying cannot store them. Should not happen.
        if (conflicts.length) log.error("messages conflict with stored ones", { count: conflicts.length });
        // Stored: they no longer pin the rooms' recent caches (best effort, only memory at stake).
        await state.persisted(messages).catch((err) => log.warn("recent cache trim failed", errorFields(err)));
      },
      flush: () => store.flushCursorMoves(),
    },
  });
  const relay = startOutboxRelay({ state, producer, firstRetryMs: cfg.retryFirstMs, maxRetryMs: cfg.retryMaxMs, log });

  const probe = lagProbe(kafka, cfg.topic, cfg.groupId);
  let lag: number | null = null;
  let lagPending = false;
  const report = () => {
    post({ kind: "status", ...consumer.status, lag });
    if (lagPending) return;
    lagPending = true;
    void probe
      .lag()
      .then((n) => (lag = n))
      .finally(() => (lagPending = false));
  };
  const statusTimer = setInterval(report, STATUS_EVERY_MS);
  report();

  return async () => {
    clearInterval(statusTimer);
    await relay.close();
    await consumer.close();
    await probe.close();
    await producer.close().catch(() => {});
    await redis.close();
    await mongo.close();
  };
}

hostWorker(start);
