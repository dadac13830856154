/**
 * Indexing throughput, scale-out: activity events produced onto the server's Kafka activity topic by
 * the project's own KafkaActivitySink, consumed by the server's indexing worker into Elasticsearch;
 * timed from the first emit until a count query sees them all (or the deadline, then reported as a
 * partial count). The events are stamped with their own `instance` so the server's own events do not count.
 */
import { createElasticClient } from "../../src/adapters/elasticsearch/client.ts";
import { indexNames } from "../../src/adapters/elasticsearch/indices.ts";
import { KafkaActivitySink } from "../../src/adapters/kafka/activity-sink.ts";
import { createKafka } from "../../src/adapters/kafka/kafka-client.ts";
import { connectRedis } from "../../src/adapters/redis/connection.ts";
import { newId } from "../../src/domain/ids.ts";
import { createLogger } from "../../src/observability/logger.ts";

export interface IndexingResult {
  events: number;
  indexed: number;
  seconds: number;
  eventsPerSec: number;
  /** False when the deadline passed before Elasticsearch held every event. */
  complete: boolean;
  /** Events the producer could not hand to Kafka in time, parked in Redis at the end (they still get there, slower). */
  parked: number;
}

export interface IndexingTarget {
  redisUrl: string;
  kafkaBrokers: string;
  elasticsearchUrl: string;
  /** The server's KAFKA_ACTIVITY_TOPIC and ES_INDEX_PREFIX. */
  topic: string;
  prefix: string;
}

export async function measureIndexing(t: IndexingTarget, events: number, deadlineMs: number): Promise<IndexingResult> {
  const log = createLogger("error");
  const redis = await connectRedis(t.redisUrl, log);
  const kafka = createKafka({ brokers: t.kafkaBrokers.split(","), clientId: `bench-indexing-${newId()}` }, log);
  const sink = new KafkaActivitySink(kafka, redis.cmd, { topic: t.topic, partitions: 3, replication: 1 }, 2000, log);
  const es = createElasticClient(t.elasticsearchUrl);
  const instance = `bench-${newId()}`;
  const count = () =>
    es.count({ index: indexNames(t.prefix).activity, query: { term: { instance } } }).then((r) => r.count, () => 0);
  try {
    await sink.start();
    // Emitting before the producer is connected would park every event in Redis (relayed every few
    // seconds): that measures the parking path, not indexing.
    for (let i = 0; !(await sink.health()).ok; i++) {
      if (i > 300) throw new Error("the activity producer did not connect to Kafka in 30 s");
      await Bun.sleep(100);
    }
    const started = performance.now();
    for (let i = 0; i < events; i++) {
      sink.emit({ id: newId(), type: "message.sent", time: Date.now(), user: `u${i % 500}`, room: `g:bench${i % 20}`, instance, details: { messageId: newId(), length: 40 } });
      if (i % 1000 === 999) await Bun.sleep(5); // the producer sends one batch per round trip
    }
    let indexed = 0;
    while (performance.now() - started < deadlineMs) {
      indexed = await count();
      if (indexed >= events) break;
      await Bun.sleep(250);
    }
    const seconds = (performance.now() - started) / 1000;
    const { parked } = await sink.health();
    return { events, indexed, seconds: +seconds.toFixed(2), eventsPerSec: Math.round(indexed / seconds), complete: indexed >= events, parked: typeof parked === "number" && parked > 0 ? parked : 0 };
  } finally {
    await sink.close();
    await redis.close();
    await es.close();
  }
}
