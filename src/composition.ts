import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { LocalOnlyBus } from "./adapters/memory/cluster-bus.ts";
import { MemoryPresenceStore } from "./adapters/memory/presence-store.ts";
import { MemoryRateLimiter } from "./adapters/memory/rate-limiter.ts";
import { MemoryTicketStore } from "./adapters/memory/ticket-store.ts";
import { InProcessAiQueue } from "./adapters/memory/ai-queue.ts";
import { UnavailableSearchIndex } from "./adapters/memory/unavailable-search.ts";
import { SqliteActivityLog } from "./adapters/sqlite/activity-log.ts";
import { createSqliteStorage } from "./adapters/sqlite/storage.ts";
import { boundedPort, CallHealth } from "./adapters/guard/bounded-port.ts";
import { WORKER_URLS } from "./worker-urls.ts";
import { DiskFileStore } from "./adapters/disk/file-store.ts";
import { lazySharpPreviewer } from "./adapters/sharp/image-previewer.ts";
import { uploadSweeper } from "./adapters/sqlite/upload-sweeper.ts";
import { NO_ACTIVITY_SINK } from "./domain/activity.ts";
import type { Config } from "./config.ts";
import { errorFields, type Logger } from "./observability/logger.ts";
import type { ChatMessage } from "./domain/model.ts";
import type { RedisConnection } from "./adapters/redis/connection.ts";
import type { StoredChanges } from "./adapters/kafka/cached-change-reader.ts";
import type { MongoStorage } from "./adapters/mongodb/storage.ts";
import { WorkerAiRunner } from "./adapters/ai-thread/ai-worker-client.ts";
import type { AiProviderSettings } from "./adapters/ai-thread/ai-protocol.ts";
import type {
  AccountStore,
  ActivitySink,
  AiRequestQueue,
  AiRunner,
  Analytics,
  ClusterBus,
  EngineHealth,
  FileStore,
  ImagePreviewer,
  Lifecycle,
  LocalRateLimiter,
  MessageChangeLog,
  MessageChangeReader,
  MessageLog,
  MessageReader,
  PresenceStore,
  RateLimiter,
  RoomStore,
  SearchIndex,
  SocialStore,
  TicketStore,
  UploadRegistry,
} from "./ports/index.ts";

/** Every port, bound to an adapter. */
export interface Adapters {
  accounts: AccountStore;
  social: SocialStore;
  rooms: RoomStore;
  log: MessageLog;
  reader: MessageReader;
  /** Edits, deletions and reactions: the room's seq like messages, through the same write path. */
  changes: MessageChangeLog;
  changeReader: MessageChangeReader;
  bus: ClusterBus;
  presence: PresenceStore;
  /** Login and `/ai` budgets: shared by every instance when Redis is on. */
  limiter: RateLimiter;
  /**
   * The per-user message budget, checked on every `send` frame: kept in this process in both modes.
   * A Redis round trip here would hold each socket's later frames behind the network (frames are
   * handled in order); as an abuse brake it may be per instance (a user with tabs on two
   * instances gets twice the burst).
   */
  sendLimiter: LocalRateLimiter;
  tickets: TicketStore;
  /** `/ai` requests: served here when embedded, by any instance through Kafka when scaled out. */
  aiQueue: AiRequestQueue;
  /** The model that answers `/ai`, on its own worker thread; null when no provider is configured. */
  aiRunner: AiRunner | null;
  /** Activity events: SQLite activity.db when embedded; Elasticsearch (through Kafka when configured) when scaled out. */
  activity: ActivitySink;
  analytics: Analytics;
  search: SearchIndex;
  /** Attachments: bytes on disk under DATA_DIR/files when embedded, in GridFS with MongoDB; their metadata beside the messages. */
  files: FileStore;
  uploads: UploadRegistry;
  /** Image previews (sharp), loaded on the first image; null where they cannot be made (the single binary). */
  previewer: () => Promise<ImagePreviewer | null>;
  /** Hands a new message, or an edited or deleted one's state, to the search index when nothing else carries it there (SQLite triggers, the Kafka indexer). */
  indexMessage?: (message: ChatMessage) => void;
  /** Documents waiting to be indexed and documents Elasticsearch rejected (parked), for /metrics. */
  indexStatus?: () => { lag: number | null; parked: number };
  /** Started in this order, closed in reverse. */
  lifecycle: Lifecycle[];
  mode: "embedded" | "scale-out";
}


/** Ports whose adapter is the store's own, whatever carries the writes. */
type Stores = Pick<Adapters, "accounts" | "social" | "rooms" | "reader" | "changeReader" | "files" | "uploads"> & { lifecycle: Lifecycle; search?: SearchIndex };
type Coordination = Pick<Adapters, "bus" | "presence" | "limiter" | "tickets"> & { lifecycle: Lifecycle; redis?: RedisConnection };
/** What decides seqs and stores messages and their changes, and the `/ai` queue that goes with it. */
type WritePath = Pick<Adapters, "log" | "reader" | "changes" | "changeReader" | "rooms" | "aiQueue"> & { lifecycle: Lifecycle[]; redis?: RedisConnection };
/** Where activity goes and what searches it. */
type Records = Pick<Adapters, "activity" | "analytics" | "search" | "indexMessage" | "indexStatus"> & { lifecycle: Lifecycle[] };

/**
 * The one place that chooses adapters, once per concern: embedded for every engine whose URL is
 * not configured. Engine adapters (and their client libraries) are imported only when their engine
 * is on, so the embedded server does not pay for loading kafkajs, mongodb and redis at startup.
 */
export async function createAdapters(config: Config, log: Logger, instanceId: string): Promise<Adapters> {
  const mongo = config.MONGODB_URI ? await mongoStores(config.MONGODB_URI, config.STORAGE_TIMEOUT_MS) : null;
  const sqlite = mongo ? null : sqliteStorage(config, log);
  const stores: Stores = mongo ?? sqlite!;
  const coordination = config.REDIS_URL
    ? await (await import("./adapters/redis/coordination.ts")).createRedisCoordination({ ...config, REDIS_URL: config.REDIS_URL }, instanceId, log)
    : memoryCoordination();
  const writes: WritePath = mongo
    ? await mongoWritePath(config, mongo, coordination, log)
    : { ...sqlite!, aiQueue: new InProcessAiQueue(), lifecycle: [] };
  const records = await recordsFor(config, log, stores, writes.redis);
  const aiRunner = aiRunnerFor(config, log);
  const sendLimiter = new MemoryRateLimiter();
  return bounded({
    ...stores,
    ...coordination,
    ...writes,
    ...records,
    sendLimiter,
    aiRunner,
    previewer: lazySharpPreviewer(log),
    // The AI runner before its queue: closed after it, so answers in progress finish on a running model.
    lifecycle: [stores.lifecycle, coordination.lifecycle, sendLimiter, ...records.lifecycle, uploadSweeperFor(config, log), ...writes.lifecycle, ...(aiRunner ? [aiRunner] : []), writes.aiQueue],
    mode: config.MONGODB_URI || config.REDIS_URL ? "scale-out" : "embedded",
  }, config.STORAGE_TIMEOUT_MS * 2, log);
}

/**
 * With Kafka (and Redis), Kafka is the write path: Redis assigns seqs, a worker persists into
 * MongoDB. Without, MongoDB decides them itself.
 */
async function mongoWritePath(config: Config, mongo: MongoStores, coordination: Coordination, log: Logger): Promise<WritePath> {
  const redis = coordination.redis;
  if (!config.KAFKA_BROKERS || !config.REDIS_URL || !redis) {
    return { ...mongo, ...mongo.ownWritePath(), aiQueue: new InProcessAiQueue(), lifecycle: [] };
  }
  const [{ createKafkaPipeline }, { KafkaAiQueue }, { createKafka }] = await Promise.all([
    import("./adapters/kafka/pipeline.ts"),
    import("./adapters/kafka/ai-queue.ts"),
    import("./adapters/kafka/kafka-client.ts"),
  ]);
  const pipeline = createKafkaPipeline({
    config: { ...config, KAFKA_BROKERS: config.KAFKA_BROKERS, REDIS_URL: config.REDIS_URL, MONGODB_URI: config.MONGODB_URI! },
    redis,
    store: mongo.reader,
    storeChanges: mongo.storedChanges,
    rooms: mongo.rooms,
    log,
  });
  const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: `${config.KAFKA_CLIENT_ID}-ai`, requestTimeoutMs: config.STORAGE_TIMEOUT_MS }, log);
  const aiQueue = new KafkaAiQueue(kafka, redis.cmd, {
    topic: config.KAFKA_AI_TOPIC,
    groupId: `${config.KAFKA_CLIENT_ID}-ai`,
    partitions: config.KAFKA_PARTITIONS,
    replication: config.KAFKA_REPLICATION,
  }, log);
  return {
    log: pipeline.log,
    reader: pipeline.reader,
    changes: pipeline.changes,
    changeReader: pipeline.changeReader,
    rooms: pipeline.rooms,
    aiQueue,
    lifecycle: [pipeline.lifecycle],
    redis,
  };
}

/**
 * Activity, search and analytics: SQLite (activity.db, FTS5) when embedded; Elasticsearch when
 * configured, fed through the Kafka indexing worker when Kafka is the write path, else by this
 * instance directly. ACTIVITY_LOG=off gives every recorder a sink that drops events.
 */
async function recordsFor(config: Config, log: Logger, stores: Stores, pipelineRedis?: RedisConnection): Promise<Records> {
  const records = config.ELASTICSEARCH_URL ? await elasticRecords(config, config.ELASTICSEARCH_URL, log, pipelineRedis) : sqliteRecords(config, log, stores);
  return config.ACTIVITY_LOG === "off" ? { ...records, activity: NO_ACTIVITY_SINK } : records;
}

function sqliteRecords(config: Config, log: Logger, stores: Stores): Records {
  const activityLog = new SqliteActivityLog(join(config.DATA_DIR, "activity.db"), config.ACTIVITY_RETENTION_DAYS * 86_400_000, WORKER_URLS.activity, log);
  return { activity: activityLog, analytics: activityLog, search: stores.search ?? new UnavailableSearchIndex(), lifecycle: [activityLog] };
}

async function elasticRecords(config: Config, url: string, log: Logger, redis?: RedisConnection): Promise<Records> {
  const { createElastic } = await import("./adapters/elasticsearch/elastic.ts");
  const es = createElastic({ url, prefix: config.ES_INDEX_PREFIX, retentionDays: config.ACTIVITY_RETENTION_DAYS }, log);
  const base = { search: es.search, analytics: es.analytics };
  if (config.KAFKA_BROKERS && redis) {
    const [{ KafkaActivitySink }, { createKafka }, { IndexingWorkerClient }] = await Promise.all([
      import("./adapters/kafka/activity-sink.ts"),
      import("./adapters/kafka/kafka-client.ts"),
      import("./adapters/kafka/indexing-client.ts"),
    ]);
    const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: `${config.KAFKA_CLIENT_ID}-activity` }, log);
    const topic = { topic: config.KAFKA_ACTIVITY_TOPIC, partitions: config.KAFKA_PARTITIONS, replication: config.KAFKA_REPLICATION };
    const sink = new KafkaActivitySink(kafka, redis.cmd, topic, config.PARKED_RETRY_MS, log);
    const indexer = new IndexingWorkerClient({
      brokers: config.KAFKA_BROKERS,
      clientId: config.KAFKA_CLIENT_ID,
      messagesTopic: config.KAFKA_MESSAGES_TOPIC,
      activityTopic: config.KAFKA_ACTIVITY_TOPIC,
      groupId: `${config.KAFKA_CLIENT_ID}-indexer`,
      elasticsearchUrl: url,
      indexPrefix: config.ES_INDEX_PREFIX,
      retentionDays: config.ACTIVITY_RETENTION_DAYS,
      logLevel: config.LOG_LEVEL,
    });
    return { ...base, activity: sink, indexStatus: () => ({ lag: indexer.status.lag, parked: indexer.status.parked }), lifecycle: [es.lifecycle, sink, indexer] };
  }
  const { DirectIndexer } = await import("./adapters/elasticsearch/direct-indexer.ts");
  const direct = new DirectIndexer(es.client, es.names, es.ready, log);
  return { ...base, activity: direct, indexMessage: (m) => direct.message(m), indexStatus: () => direct.status(), lifecycle: [es.lifecycle, direct] };
}

function aiRunnerFor(config: Config, log: Logger): AiRunner | null {
  const provider = aiProvider(config);
  return provider ? new WorkerAiRunner(provider, config.AI_TIMEOUT_MS, config.AI_MAX_RETRIES, log) : null;
}

/** Every port that reaches an engine answers within `ms` (else `unavailable`): nothing waits forever on a store. */
function bounded(a: Adapters, ms: number, log: Logger): Adapters {
  const calls = new CallHealth(ms * 2);
  const events = {
    onFailure: (port: string, method: string, err: unknown) => {
      calls.record(port, method);
      log.warn("engine call failed", { port, method, ...errorFields(err) });
    },
    onSuccess: (port: string) => calls.recovered(port),
  };
  const b = <T extends object>(name: string, port: T) => boundedPort(name, port, ms, events);
  return {
    ...a,
    accounts: b("accounts", a.accounts),
    social: b("social", a.social),
    rooms: b("rooms", a.rooms),
    log: b("log", a.log),
    reader: b("reader", a.reader),
    changes: b("changes", a.changes),
    changeReader: b("changeReader", a.changeReader),
    presence: b("presence", a.presence),
    limiter: b("limiter", a.limiter),
    tickets: b("tickets", a.tickets),
    search: b("search", a.search),
    uploads: b("uploads", a.uploads),
    files: boundedFiles(b("files", a.files), a.files),
    analytics: b("analytics", a.analytics),
    lifecycle: [...a.lifecycle, calls],
  };
}

/** Reads and deletes of files are bounded like any call; `put` lasts as long as the upload's transfer. */
function boundedFiles(guarded: FileStore, raw: FileStore): FileStore {
  return { put: (key, data) => raw.put(key, data), get: guarded.get, delete: guarded.delete };
}

/** Expired uploads are removed on their own thread, over their own connection to the same store. */
function uploadSweeperFor(config: Config, log: Logger): Lifecycle {
  const storage = config.MONGODB_URI
    ? { kind: "mongodb" as const, uri: config.MONGODB_URI, timeoutMS: config.STORAGE_TIMEOUT_MS }
    : { kind: "sqlite" as const, dataDir: config.DATA_DIR, settings: { synchronous: config.SQLITE_SYNCHRONOUS, busyTimeoutMs: config.SQLITE_BUSY_TIMEOUT_MS } };
  return uploadSweeper({ storage, ttlMs: config.UPLOAD_TTL_SEC * 1000, intervalMs: config.UPLOAD_SWEEP_SEC * 1000 }, log);
}

function sqliteStorage(config: Config, log: Logger) {
  const sqlite = createSqliteStorage(config.DATA_DIR, { synchronous: config.SQLITE_SYNCHRONOUS, busyTimeoutMs: config.SQLITE_BUSY_TIMEOUT_MS }, log);
  const files = new DiskFileStore(join(config.DATA_DIR, "files"));
  return { ...sqlite, files, lifecycle: { ...sqlite.lifecycle, start: async () => (await files.start(), await sqlite.lifecycle.start?.()) } };
}

/** `storedChanges`: the store's side of message changes, which the Kafka pipeline completes with the ones in flight. */
type MongoStores = Stores & Pick<MongoStorage, "ownWritePath"> & { storedChanges: StoredChanges };

async function mongoStores(uri: string, timeoutMS: number): Promise<MongoStores> {
  const [{ createMongoStorage }, { GridFsFileStore }, { MongoUploadRegistry }] = await Promise.all([
    import("./adapters/mongodb/storage.ts"),
    import("./adapters/mongodb/gridfs-file-store.ts"),
    import("./adapters/mongodb/upload-registry.ts"),
  ]);
  const mongo = createMongoStorage({ uri, timeoutMS });
  const uploads = new MongoUploadRegistry(mongo.connection.db);
  const lifecycle: Lifecycle = { ...mongo.lifecycle, start: async () => (await mongo.lifecycle.start?.(), await uploads.start()) };
  return {
    accounts: mongo.accounts, social: mongo.social, rooms: mongo.rooms, reader: mongo.reader, changeReader: mongo.changeReader,
    files: new GridFsFileStore(mongo.connection.db), uploads, lifecycle, ownWritePath: mongo.ownWritePath, storedChanges: mongo.changeReader,
  };
}

function memoryCoordination(): Coordination {
  const limiter = new MemoryRateLimiter();
  return { bus: new LocalOnlyBus(), presence: new MemoryPresenceStore(), limiter, tickets: new MemoryTicketStore(), lifecycle: limiter };
}

/** Embedded mode keeps a generated signing secret beside the data so restarts keep sessions. */
export function jwtSecret(config: Config): Uint8Array {
  if (config.JWT_SECRET) return new TextEncoder().encode(config.JWT_SECRET);
  const file = join(config.DATA_DIR, "jwt-secret");
  if (!existsSync(file)) {
    mkdirSync(config.DATA_DIR, { recursive: true });
    writeFileSync(file, Buffer.from(crypto.getRandomValues(new Uint8Array(48))).toString("base64url"), { mode: 0o600 });
  }
  return new TextEncoder().encode(readFileSync(file, "utf8").trim());
}

/** A self-hosted OpenAI-compatible endpoint when configured, else Gemini when it has a key, else none. */
function aiProvider(config: Config): AiProviderSettings | null {
  if (config.OPENAI_BASE_URL) {
    return { kind: "openai", baseUrl: config.OPENAI_BASE_URL, model: config.OPENAI_MODEL, ...(config.OPENAI_API_KEY ? { apiKey: config.OPENAI_API_KEY } : {}) };
  }
  if (!config.GEMINI_API_KEY) return null;
  return { kind: "gemini", apiKey: config.GEMINI_API_KEY, model: config.GEMINI_MODEL, ...(config.GEMINI_BASE_URL ? { baseUrl: config.GEMINI_BASE_URL } : {}) };
}
