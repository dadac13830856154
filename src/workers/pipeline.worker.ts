/// <reference lib="webworker" />
/**
 * The pipeline worker: moves messages from Kafka into MongoDB, and re-publishes messages parked in
 * Redis when Kafka could not take them. Runs on its own thread so neither loop ever competes with
 * socket work.
 *
 * Persistence: batches are bulk-upserted by message id (replays and redeliveries are no-ops) and
 * offsets are committed only after the write. A failed write is retried 3 times with exponential
 * backoff and jitter; after that the batch stays uncommitted and the consumer retries it later.
 */
import type { EachBatchPayload } from "kafkajs";
import { MongoConnection } from "../adapters/mongodb/connection.ts";
import { MongoMessageStore } from "../adapters/mongodb/message-store.ts";
import { createKafka } from "../adapters/kafka/kafka-client.ts";
import { decodeMessage, RedisPipelineState } from "../adapters/kafka/redis-pipeline.ts";
import { connectRedis } from "../adapters/redis/connection.ts";
import { BatchingProducer } from "../adapters/kafka/batching-producer.ts";
import { createLogger, errorFields, type Logger } from "../observability/logger.ts";
import type { ChatMessage } from "../domain/model.ts";
import type { FromPipelineWorker, PipelineWorkerInit, ToPipelineWorker } from "./pipeline-protocol.ts";

declare const self: Worker;
const post = (m: FromPipelineWorker) => self.postMessage(m);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const withJitter = (ms: number) => ms / 2 + Math.random() * ms;

let stop: (() => Promise<void>) | null = null;

async function start(cfg: PipelineWorkerInit) {
  const log: Logger = createLogger(cfg.logLevel, { worker: "pipeline" });
  const mongo = new MongoConnection({ uri: cfg.mongoUri });
  await mongo.start();
  const store = new MongoMessageStore(mongo.db);
  const redis = await connectRedis(cfg.redisUrl, log);
  const state = new RedisPipelineState(redis.cmd);
  const kafka = createKafka({ brokers: cfg.brokers, clientId: `${cfg.clientId}-pipeline` }, log);
  const producer = new BatchingProducer(kafka, cfg.topic, 10_000);
  producer.start(async () => {}, (err) => log.warn("kafka not reachable yet", errorFields(err)));

  let running = true;
  let persisted = 0;
  let lastBatchAt: number | null = null;
  let failingSince: number | null = null;
  const report = () => post({ kind: "status", persisted, lastBatchAt, failingSince });

  const persist = async (messages: ChatMessage[]) => {
    for (let attempt = 1; ; attempt++) {
      try {
        const { conflicts } = await store.bulkUpsert(messages);
        if (conflicts.length) log.error("messages conflict with stored ones", { count: conflicts.length });
        failingSince = null;
        return;
      } catch (err) {
        failingSince ??= Date.now();
        log.warn("mongodb write failed", { attempt, ...errorFields(err) });
        if (attempt >= 3) throw err; // the consumer restarts from the last committed offset
        await sleep(withJitter(200 * 2 ** attempt));
      }
    }
  };

  const consumer = kafka.consumer({ groupId: cfg.groupId, retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 500, maxRetryTime: 10_000 } });
  const runConsumer = async () => {
    await consumer.connect();
    await consumer.subscribe({ topic: cfg.topic, fromBeginning: true });
    await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    eachBatch: async ({ batch, resolveOffset, commitOffsetsIfNecessary, heartbeat }: EachBatchPayload) => {
      const messages: ChatMessage[] = [];
      for (const m of batch.messages) {
        try {
          if (m.value) messages.push(decodeMessage(m.value.toString("utf8")));
        } catch {
          log.error("undecodable record skipped", { partition: batch.partition, offset: m.offset });
        }
      }
      if (messages.length) await persist(messages);
      const last = batch.messages.at(-1);
      if (last) resolveOffset(last.offset);
      await commitOffsetsIfNecessary();
      await heartbeat();
      persisted += messages.length;
      lastBatchAt = Date.now();
      report();
    },
    });
  };
  // In the background, retried: Kafka may be down at startup, and joining the group can wait on a
  // rebalance with other instances. Startup waits for neither.
  void (async () => {
    for (let attempt = 0; running; attempt++) {
      try {
        return await runConsumer();
      } catch (err) {
        log.warn("persistence consumer not started yet", errorFields(err));
        await consumer.disconnect().catch(() => {});
        await sleep(Math.min(500 * 2 ** attempt, 10_000));
      }
    }
  })();

  // Parked messages: claim what is due, publish, and back off exponentially (capped) on failure.
  const retryLoop = (async () => {
    while (running) {
      try {
        const due = await state.claimDue(Date.now(), 60_000, 500);
        const results = await Promise.allSettled(due.map((p) => producer.send(p.message)));
        const ok = due.filter((_, i) => results[i]!.status === "fulfilled");
        await state.published(ok.map((p) => p.message.id));
        for (const [i, p] of due.entries()) {
          if (results[i]!.status === "fulfilled") continue;
          const delay = Math.min(cfg.retryFirstMs * 2 ** (p.attempts + 1), cfg.retryMaxMs);
          await state.retryLater(p.message.id, p.message, p.attempts + 1, Date.now() + delay);
        }
        if (ok.length) log.info("parked messages re-published", { count: ok.length });
      } catch (err) {
        log.warn("parked retry failed", errorFields(err));
      }
      await sleep(Math.min(1000, cfg.retryFirstMs));
    }
  })();

  const statusTimer = setInterval(report, 2000);
  stop = async () => {
    running = false;
    clearInterval(statusTimer);
    await retryLoop;
    await consumer.disconnect().catch(() => {});
    await producer.close().catch(() => {});
    await redis.close();
    await mongo.close();
  };
}

self.onmessage = (event: MessageEvent<ToPipelineWorker>) => {
  const msg = event.data;
  if (msg.kind === "init") {
    start(msg).then(
      () => post({ kind: "ready" }),
      (err) => post({ kind: "fatal", error: err instanceof Error ? err.message : String(err) }),
    );
  } else if (msg.kind === "close") {
    void (stop?.() ?? Promise.resolve()).finally(() => post({ kind: "closed" }));
  }
};
