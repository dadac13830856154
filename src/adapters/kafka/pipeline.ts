import type { Config } from "../../config.ts";
import { errorFields, type Logger } from "../../observability/logger.ts";
import type { EngineHealth, Lifecycle, MessageReader, RoomStore } from "../../ports/index.ts";
import type { FromPipelineWorker, ToPipelineWorker } from "./pipeline-protocol.ts";
import type { RedisConnection } from "../redis/connection.ts";
import { BatchingProducer } from "./batching-producer.ts";
import { CachedMessageReader } from "./cached-reader.ts";
import { CachedChangeReader, type StoredChanges } from "./cached-change-reader.ts";
import { RedisChangeState } from "../redis/change-state.ts";
import { replyResolver } from "./replies.ts";
import { createKafka, ensureTopics } from "./kafka-client.ts";
import { KafkaMessageLog } from "./message-log.ts";
import { RedisPipelineState } from "../redis/pipeline-state.ts";
import { OwnReadRoomStore } from "../redis/own-read-rooms.ts";
import { WORKER_URLS } from "../../worker-urls.ts";
import { SupervisedWorker } from "../../threads/supervised-worker.ts";

const PIPELINE_WORKER = WORKER_URLS.pipeline;

export interface KafkaPipelineConfig {
  config: Config & { KAFKA_BROKERS: string[]; REDIS_URL: string; MONGODB_URI: string };
  redis: RedisConnection;
  store: MessageReader;
  /** The durable store's changes (MongoDB); the pipeline returns them with the ones in flight laid over. */
  storeChanges: StoredChanges;
  /** The durable room store; the pipeline returns it with senders' own reads laid over it. */
  rooms: RoomStore;
  log: Logger;
}

/** The scale-out message path: Redis seq + Kafka log + a worker that persists into MongoDB. */
export function createKafkaPipeline({ config, redis, store, storeChanges, rooms, log }: KafkaPipelineConfig) {
  const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: config.KAFKA_CLIENT_ID, requestTimeoutMs: config.STORAGE_TIMEOUT_MS }, log);
  const state = new RedisPipelineState(redis.cmd, config.KAFKA_MESSAGES_TOPIC);
  const producer = new BatchingProducer(kafka, config.KAFKA_MESSAGES_TOPIC, 5000);
  const changeState = new RedisChangeState(redis.cmd, state);
  const storedById = (ids: readonly string[]) => storeChanges.byIds(ids);
  const present = replyResolver(changeState, storedById);
  const reader = new CachedMessageReader(store, state, changeState, present);
  // A topic that never had a record has nothing in flight: no need to wait (a fresh deployment).
  const neverUsed = async () => {
    const admin = kafka.admin();
    try {
      await admin.connect();
      return (await admin.fetchTopicOffsets(config.KAFKA_MESSAGES_TOPIC)).every((p) => Number(p.high) === 0);
    } catch {
      return false;
    } finally {
      await admin.disconnect().catch(() => {});
    }
  };
  // The worker reports its lag every couple of seconds, measured a little before: two reports of
  // no lag after the request mean everything produced before it is in MongoDB.
  const persisted = async () => {
    if (await neverUsed()) return;
    let clean = 0;
    let seen = status;
    while (clean < 2) {
      await new Promise((r) => setTimeout(r, 200));
      if (status === seen) continue;
      seen = status;
      clean = status?.lag === 0 ? clean + 1 : 0;
    }
  };
  const messageLog = new KafkaMessageLog(state, producer, storeChanges, { state: changeState, storedById, present }, config.PARKED_RETRY_MS, log, persisted);
  let status: Extract<FromPipelineWorker, { kind: "status" }> | null = null;
  // Persistence is healthy while it has nothing to do or keeps moving; a backlog that stops
  // shrinking (a store that takes no writes, a stuck worker) turns health red after a while.
  let progressAt = Date.now();
  const onStatus = (next: Extract<FromPipelineWorker, { kind: "status" }>) => {
    if (next.lag === 0 || next.persisted !== status?.persisted) progressAt = Date.now();
    status = next;
  };
  const stalledFor = () => {
    const ms = Date.now() - progressAt;
    return ms > config.PERSIST_STALL_SEC * 1000 ? Math.round(ms / 1000) : 0;
  };
  const worker = new SupervisedWorker<ToPipelineWorker, FromPipelineWorker>({
    name: "pipeline",
    url: PIPELINE_WORKER,
    init: () => ({
      kind: "init",
      brokers: config.KAFKA_BROKERS,
      clientId: config.KAFKA_CLIENT_ID,
      topic: config.KAFKA_MESSAGES_TOPIC,
      groupId: `${config.KAFKA_CLIENT_ID}-persistence`,
      mongoUri: config.MONGODB_URI,
      redisUrl: config.REDIS_URL,
      retryFirstMs: config.PARKED_RETRY_MS,
      retryMaxMs: config.PARKED_RETRY_MAX_MS,
      logLevel: config.LOG_LEVEL,
      timeoutMs: config.STORAGE_TIMEOUT_MS,
    }),
    onMessage: (m) => {
      if (m.kind === "status") onStatus(m);
    },
    // Nothing waits on it: accepted messages are in Kafka or the Redis outbox and are picked up
    // again by the restarted worker (the consumer resumes from its committed offsets).
    onDown: () => (status = null),
    closeTimeoutMs: 10_000,
    log,
  });

  const lifecycle: Lifecycle = {
    async start() {
      const topics = [
        { topic: config.KAFKA_MESSAGES_TOPIC, partitions: config.KAFKA_PARTITIONS, replication: config.KAFKA_REPLICATION },
        { topic: config.KAFKA_AI_TOPIC, partitions: config.KAFKA_PARTITIONS, replication: config.KAFKA_REPLICATION },
      ];
      // Kafka may be down at startup: the instance still serves and parks messages meanwhile.
      producer.start(
        () => ensureTopics(kafka, topics),
        (err) => log.warn("kafka not reachable yet", errorFields(err)),
      );
      await worker.start();
    },
    async close() {
      await producer.close().catch(() => {});
      await worker.close({ kind: "close" });
    },
    workers: () => [worker],
    async health(): Promise<EngineHealth> {
      const parked = await state.parkedCount().catch(() => -1);
      const failing = status?.failingSince ?? null;
      const stalled = stalledFor();
      return {
        name: "kafka",
        ok: worker.isUp && failing === null && producer.isConnected && stalled === 0,
        parked,
        persisted: status?.persisted ?? 0,
        batchesRetried: status?.givenBack ?? 0,
        ...(status?.lag != null ? { lag: status.lag } : {}),
        ...(failing ? { detail: `store writes failing since ${new Date(failing).toISOString()}` } : {}),
        ...(stalled && !failing ? { detail: `persistence made no progress for ${stalled} s with messages waiting` } : {}),
      };
    },
  };
  return {
    log: messageLog,
    reader,
    changes: messageLog,
    changeReader: new CachedChangeReader(storeChanges, changeState, state, present),
    rooms: new OwnReadRoomStore(rooms, state),
    lifecycle,
  };
}
