import { Kafka, logLevel, type LogEntry } from "kafkajs";
import "./kafkajs-patch.ts";
import type { Logger } from "../../observability/logger.ts";

export interface KafkaSettings {
  brokers: string[];
  clientId: string;
  /** Bound on one request to a broker (kafkajs defaults to 30 s); default 5 s. */
  requestTimeoutMs?: number;
}

/** A kafkajs client whose logs go through our JSON logger (warnings and errors only). */
export function createKafka(s: KafkaSettings, log: Logger): Kafka {
  process.env.KAFKAJS_NO_PARTITIONER_WARNING = "1";
  return new Kafka({
    clientId: s.clientId,
    brokers: s.brokers,
    logLevel: logLevel.WARN,
    requestTimeout: s.requestTimeoutMs ?? 5000,
    connectionTimeout: Math.min(3000, s.requestTimeoutMs ?? 5000),
    retry: { initialRetryTime: 200, retries: 5 },
    logCreator:
      () =>
      ({ level, log: entry }: LogEntry) => {
        const fields = { component: "kafkajs", detail: String(entry.message), broker: String(entry.broker ?? "") };
        if (level <= logLevel.ERROR) log.warn("kafka", fields);
        else log.debug("kafka", fields);
      },
  });
}

/** Creates missing topics; existing ones are left as they are. */
export async function ensureTopics(kafka: Kafka, topics: { topic: string; partitions: number; replication: number }[]) {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t.topic));
    if (missing.length) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((t) => ({ topic: t.topic, numPartitions: t.partitions, replicationFactor: t.replication })),
      });
    }
  } finally {
    await admin.disconnect();
  }
}
