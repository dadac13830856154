/**
 * kafkajs 2.2.4 is unmaintained; the pipeline relies on it against Kafka 4.x. This proves, on the
 * real broker, each capability the pipeline uses: topic creation, idempotent produce with acks from
 * all replicas, consuming in a group with eachBatch and manual commits, and resuming from the
 * committed offset after a member leaves.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Consumer, EachBatchPayload, Kafka } from "kafkajs";
import { createKafka, ensureTopics } from "../../src/adapters/kafka/kafka-client.ts";
import { createLogger } from "../../src/observability/logger.ts";
import { describeWithEngines, engineUrl } from "../support/engines.ts";

const ns = `cap${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const topic = `chat.capability.${ns}`;
const groupId = `capability-${ns}`;

interface Received {
  partition: number;
  offset: string;
  key: string;
  value: string;
}

/** Joins the group, takes batches until `want` records arrived, commits after each batch, leaves. */
async function consumeInGroup(kafka: Kafka, want: number): Promise<Received[]> {
  const consumer: Consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1000 });
  const got: Received[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const done = new Promise<void>((resolve) => {
    void consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset, commitOffsetsIfNecessary, uncommittedOffsets, heartbeat }: EachBatchPayload) => {
        for (const m of batch.messages) {
          got.push({ partition: batch.partition, offset: m.offset, key: String(m.key), value: String(m.value) });
          resolveOffset(m.offset);
        }
        // Without autoCommit, commitOffsetsIfNecessary() alone never commits: pass the offsets.
        await commitOffsetsIfNecessary(uncommittedOffsets());
        await heartbeat();
        if (got.length >= want) resolve();
      },
    });
  });
  try {
    await Promise.race([done, Bun.sleep(45_000).then(() => Promise.reject(new Error(`only ${got.length}/${want} records consumed`)))]);
  } finally {
    await consumer.disconnect();
  }
  return got;
}

describeWithEngines(["kafka"], "kafkajs against Kafka 4.x", () => {
  let kafka: Kafka;

  beforeAll(async () => {
    kafka = createKafka({ brokers: engineUrl("kafka")!.split(","), clientId: ns }, createLogger("error"));
    await ensureTopics(kafka, [{ topic, partitions: 3, replication: 1 }]);
  }, 60_000);

  afterAll(async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => {});
    await admin.disconnect();
  }, 30_000);

  test("creates the topic once, with the configured partitions", async () => {
    await ensureTopics(kafka, [{ topic, partitions: 3, replication: 1 }]); // a second run is a no-op
    const admin = kafka.admin();
    await admin.connect();
    try {
      const meta = await admin.fetchTopicMetadata({ topics: [topic] });
      expect(meta.topics[0]!.partitions).toHaveLength(3);
    } finally {
      await admin.disconnect();
    }
  }, 30_000);

  test("idempotent produce (acks -1), group consume with manual commits, resume from the committed offset", async () => {
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
    await producer.connect();
    const rooms = ["r1", "r2", "r3", "r4", "r5", "r6"];
    const produce = async (from: number, count: number) => {
      const records = await producer.send({
        topic,
        acks: -1,
        messages: Array.from({ length: count }, (_, i) => {
          const n = from + i;
          return { key: rooms[n % rooms.length]!, value: JSON.stringify({ n, room: rooms[n % rooms.length] }) };
        }),
      });
      expect(records.every((r) => r.errorCode === 0)).toBe(true);
    };
    try {
      await produce(0, 300);

      const first = await consumeInGroup(kafka, 300);
      expect(first).toHaveLength(300);
      // Keyed by room: one room's records share a partition and keep their produce order.
      for (const room of rooms) {
        const mine = first.filter((r) => r.key === room);
        expect(new Set(mine.map((r) => r.partition)).size).toBe(1);
        const ns = mine.map((r) => (JSON.parse(r.value) as { n: number }).n);
        expect(ns).toEqual([...ns].sort((a, b) => a - b));
      }

      // The group's committed offsets cover everything consumed.
      const admin = kafka.admin();
      await admin.connect();
      try {
        const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
        for (const p of committed!.partitions) {
          const consumed = first.filter((r) => r.partition === p.partition).map((r) => Number(r.offset));
          expect(Number(p.offset)).toBe(consumed.length ? Math.max(...consumed) + 1 : -1);
        }
        expect(committed!.partitions.reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0)).toBe(300);
      } finally {
        await admin.disconnect();
      }

      // A new member of the same group starts from the committed offsets: only the new records.
      await produce(300, 30);
      const second = await consumeInGroup(kafka, 30);
      expect(second.map((r) => (JSON.parse(r.value) as { n: number }).n).sort((a, b) => a - b)).toEqual(
        Array.from({ length: 30 }, (_, i) => 300 + i),
      );
    } finally {
      await producer.disconnect();
    }
  }, 120_000);
});
