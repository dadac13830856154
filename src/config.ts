import { z } from "zod";

/** The only reader of the environment. Parsed once at startup; a bad value names its variable. */
const bool = z
  .enum(["true", "false", "1", "0", "yes", "no"])
  .transform((v) => v === "true" || v === "1" || v === "yes");
const list = z.string().transform((v) => v.split(",").map((s) => s.trim()).filter(Boolean));
const optionalUrl = z.string().trim().min(1).optional();

const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default("0.0.0.0"),
  PUBLIC_URL: z.string().url().optional(),
  DATA_DIR: z.string().default("./data"),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).default("info"),
  ALLOWED_ORIGINS: list.default(["http://localhost:3000", "http://127.0.0.1:3000"]),
  INSTANCE_ID: z.string().optional(),

  JWT_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
  JWT_ISSUER: z.string().default("chat-platform"),
  JWT_AUDIENCE: z.string().default("chat-platform"),
  ACCESS_TOKEN_TTL_SEC: z.coerce.number().int().min(30).max(86_400).default(900),
  REFRESH_TOKEN_TTL_SEC: z.coerce.number().int().min(60).default(30 * 86_400),
  WS_TICKET_TTL_SEC: z.coerce.number().int().min(1).max(300).default(30),
  LOGIN_MAX_ATTEMPTS: z.coerce.number().int().min(1).default(10),
  LOGIN_WINDOW_SEC: z.coerce.number().int().min(1).default(900),
  /** Login attempts from one address per window, over all accounts. */
  LOGIN_ADDRESS_MAX_ATTEMPTS: z.coerce.number().int().min(1).default(50),
  /** New accounts per address per hour. */
  REGISTER_MAX_PER_ADDRESS: z.coerce.number().int().min(1).default(20),

  WS_MAX_FRAME_BYTES: z.coerce.number().int().min(512).default(16 * 1024),
  WS_IDLE_TIMEOUT_SEC: z.coerce.number().int().min(5).max(960).default(120),
  WS_BACKPRESSURE_BYTES: z.coerce.number().int().min(1024).default(1024 * 1024),
  SEND_RATE_PER_SEC: z.coerce.number().positive().default(20),
  SEND_BURST: z.coerce.number().int().positive().default(40),
  TYPING_TTL_MS: z.coerce.number().int().min(500).default(5000),
  WS_SOCKETS_PER_USER: z.coerce.number().int().min(1).default(10),
  /** How long after sending a message its author may edit it; 0 = forever. */
  EDIT_WINDOW_SEC: z.coerce.number().int().min(0).default(86_400),
  READY_ROOMS_MAX: z.coerce.number().int().min(1).max(1000).default(100),

  // Social spam brakes: caps answer `conflict`, hourly budgets `rate_limited`.
  FRIEND_REQUESTS_PENDING_MAX: z.coerce.number().int().min(1).default(50),
  FRIEND_REQUESTS_PER_HOUR: z.coerce.number().int().min(1).default(30),
  GROUPS_CREATED_MAX: z.coerce.number().int().min(1).default(100),
  GROUPS_CREATED_PER_HOUR: z.coerce.number().int().min(1).default(20),
  GROUP_MEMBERS_MAX: z.coerce.number().int().min(2).default(200),
  GROUPS_PER_USER_MAX: z.coerce.number().int().min(1).default(200),

  SQLITE_SYNCHRONOUS: z.enum(["FULL", "NORMAL"]).default("FULL"),
  SQLITE_BUSY_TIMEOUT_MS: z.coerce.number().int().min(0).max(600_000).default(5000),

  REDIS_URL: optionalUrl,
  KAFKA_BROKERS: list.optional(),
  KAFKA_CLIENT_ID: z.string().default("chat-platform"),
  KAFKA_MESSAGES_TOPIC: z.string().default("chat.messages"),
  KAFKA_AI_TOPIC: z.string().default("chat.ai"),
  KAFKA_PARTITIONS: z.coerce.number().int().min(1).default(3),
  KAFKA_REPLICATION: z.coerce.number().int().min(1).default(1),
  PARKED_RETRY_MS: z.coerce.number().int().min(100).default(2000),
  PARKED_RETRY_MAX_MS: z.coerce.number().int().min(1000).default(30 * 60_000),
  MONGODB_URI: optionalUrl,
  PRESENCE_TTL_SEC: z.coerce.number().int().min(3).default(20),
  /** Bound on one engine call (MongoDB, Redis, Kafka request); a port call answers `unavailable` by twice this. */
  STORAGE_TIMEOUT_MS: z.coerce.number().int().min(100).default(5000),
  /** Health turns red when acked messages wait this long for persistence without any progress. */
  PERSIST_STALL_SEC: z.coerce.number().int().min(1).default(30),
  /** SIGTERM/SIGINT: the process exits by then even if an engine never answers. */
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(100).default(8000),

  /** Search and the activity log/analytics in Elasticsearch (else SQLite FTS5 + an activity table). */
  ELASTICSEARCH_URL: optionalUrl,
  /** Prefix of the indices/data stream: <prefix>-messages, <prefix>-activity. */
  ES_INDEX_PREFIX: z.string().regex(/^[a-z0-9][a-z0-9_.-]*$/, "lowercase letters, digits, _ . - only").default("chat"),
  KAFKA_ACTIVITY_TOPIC: z.string().default("chat.activity"),
  ACTIVITY_RETENTION_DAYS: z.coerce.number().int().min(1).default(90),
  /** off: no activity events are emitted at all (analytics stays empty); for measuring their cost. */
  ACTIVITY_LOG: z.enum(["on", "off"]).default("on"),

  GEMINI_API_KEY: z.string().optional(),
  GEMINI_MODEL: z.string().default("gemini-2.5-flash"),
  GEMINI_BASE_URL: z.string().url().optional(),
  /** An OpenAI-compatible endpoint (Ollama, llama.cpp server, vLLM), e.g. http://127.0.0.1:11434/v1; used instead of Gemini when set. */
  OPENAI_BASE_URL: z.string().url().optional(),
  OPENAI_API_KEY: z.string().optional(),
  OPENAI_MODEL: z.string().default("llama3.2"),
  AI_CONTEXT_MESSAGES: z.coerce.number().int().min(0).max(200).default(20),
  AI_SYSTEM_PROMPT: z.string().default("You are a helpful assistant in a group chat. Answer concisely in plain text."),
  AI_TIMEOUT_MS: z.coerce.number().int().min(100).default(30_000),
  AI_MAX_RETRIES: z.coerce.number().int().min(0).max(10).default(2),
  AI_RATE_PER_MIN: z.coerce.number().positive().default(10),
  AI_PROMPT_MAX: z.coerce.number().int().min(1).default(2000),

  /** Attachments: the largest upload, each user's stored bytes, uploads per user per hour, unsent uploads' lifetime. */
  FILE_MAX_BYTES: z.coerce.number().int().min(1).default(25 * 1024 * 1024),
  FILE_QUOTA_BYTES: z.coerce.number().int().min(1).default(1024 * 1024 * 1024),
  FILE_UPLOADS_PER_HOUR: z.coerce.number().int().min(1).default(100),
  UPLOAD_TTL_SEC: z.coerce.number().int().min(1).default(86_400),
  /** How often expired uploads are looked for. */
  UPLOAD_SWEEP_SEC: z.coerce.number().int().min(1).default(60),

  SERVE_CLIENT: bool.default(true),
  /** Tests only, never in production: SIGUSR2 kills every worker thread as a crash would. */
  TEST_FAULT_HOOKS: bool.default(false),
  /** The built web client; defaults to client/dist beside the sources. */
  CLIENT_DIR: z.string().optional(),
  /** Administrators: they read /api/analytics and see health details (loopback requests see those too). */
  ADMIN_USERNAMES: list.default([]),
  /** Bearer token for /metrics (open when unset); it also unlocks health details. */
  METRICS_TOKEN: z.string().min(16, "must be at least 16 characters").optional(),
  TRUST_PROXY: bool.default(false),
});

export type Config = z.infer<typeof schema>;

export class ConfigError extends Error {}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // Empty strings in .env files mean "unset".
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = schema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join("\n")}`);
  }
  const config = parsed.data;
  const scaledOut = config.REDIS_URL || config.KAFKA_BROKERS || config.MONGODB_URI;
  if (scaledOut && !config.JWT_SECRET) {
    throw new ConfigError("Invalid configuration:\n  JWT_SECRET: required when any engine URL is set (instances must share it)");
  }
  if (config.KAFKA_BROKERS && !config.REDIS_URL) {
    throw new ConfigError("Invalid configuration:\n  REDIS_URL: required with KAFKA_BROKERS (sequence numbers and parked messages live in Redis)");
  }
  if (config.KAFKA_BROKERS && !config.MONGODB_URI) {
    throw new ConfigError("Invalid configuration:\n  MONGODB_URI: required with KAFKA_BROKERS (the pipeline persists into MongoDB)");
  }
  return config;
}
