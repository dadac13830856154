/**
 * kafkajs 2.2.4 is unmaintained and Kafka 4 dropped many old protocol versions (KIP-896): prove on
 * the real broker what the pipeline relies on — topic creation, idempotent produce with acks -1,
 * consumer-group join, manual offset commits, and a second member resuming from those commits.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Kafka, logLevel, type Admin } from "kafkajs";
import "../../src/adapters/kafka/kafkajs-patch.ts";
import { engineUrl, haveEngines } from "../support/engines.ts";

process.env.KAFKAJS_NO_PARTITIONER_WARNING = "1";

describe.skipIf(!haveEngines("kafka"))("kafkajs against the Kafka engine", () => {
  const ns = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const topic = `engines.kafkajs.${ns}`;
  const groupId = `engines-kafkajs-${ns}`;
  let kafka: Kafka;
  let admin: Admin;

  beforeAll(async () => {
    kafka = new Kafka({ clientId: `engines-${ns}`, brokers: engineUrl("kafka")!.split(","), logLevel: logLevel.NOTHING });
    admin = kafka.admin();
    await admin.connect();
  });
  afterAll(async () => {
    await admin?.deleteTopics({ topics: [topic] }).catch(() => {});
    await admin?.disconnect();
  });

  /** Joins the group, reads `count` messages committing each offset by hand, then leaves. */
  async function consume(count: number): Promise<string[]> {
    const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1_000 });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    const got: string[] = [];
    const { promise, resolve } = Promise.withResolvers<void>();
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        got.push(message.value!.toString());
        await consumer.commitOffsets([{ topic, partition, offset: (BigInt(message.offset) + 1n).toString() }]);
        if (got.length >= count) resolve();
      },
    });
    const timer = setTimeout(resolve, 30_000);
    await promise;
    clearTimeout(timer);
    await consumer.disconnect();
    return got;
  }

  test("create, idempotent produce, group consume, commit, resume", async () => {
    expect(await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 3, replicationFactor: 1 }] })).toBe(true);
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
    expect(topics[0]?.partitions.map((p) => p.leader).sort()).toEqual([1, 1, 1]);

    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const send = (from: number, n: number) =>
      producer.send({ topic, acks: -1, messages: Array.from({ length: n }, (_, i) => ({ key: `room-${(from + i) % 7}`, value: `m${from + i}` })) });
    const sent = await send(0, 30);
    expect(new Set(sent.map((r) => r.partition)).size).toBe(3);
    expect(sent.every((r) => r.errorCode === 0)).toBe(true);

    expect((await consume(30)).sort()).toEqual(Array.from({ length: 30 }, (_, i) => `m${i}`).sort());
    const committed = (await admin.fetchOffsets({ groupId, topics: [topic] }))[0]?.partitions ?? [];
    const high = await admin.fetchTopicOffsets(topic);
    for (const h of high) expect(committed.find((c) => c.partition === h.partition)?.offset).toBe(h.high);

    await send(100, 5);
    expect((await consume(5)).sort()).toEqual(["m100", "m101", "m102", "m103", "m104"]);
    await producer.disconnect();
  }, 90_000);
});
