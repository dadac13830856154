/**
 * Moves chat.messages and chat.activity into Elasticsearch. Each fetched batch becomes one bulk
 * request (document ids = message/event ids, so redeliveries overwrite or are refused as
 * duplicates); a partition's offset is committed only after Elasticsearch acknowledged every
 * document of the batch. Documents Elasticsearch rejects are parked (see bulk-writer.ts) and the
 * batch still commits; anything retryable (cluster down, overloaded) is retried with backoff while
 * the consumer keeps heartbeating, and the batch stays uncommitted until it succeeds.
 */
import type { Client } from "@elastic/elasticsearch";
import type { EachBatchPayload, Kafka } from "kafkajs";
import { bulkWrite } from "../elasticsearch/bulk-writer.ts";
import { activityDoc, messageDoc, type BulkDoc } from "../elasticsearch/documents.ts";
import type { IndexNames } from "../elasticsearch/indices.ts";
import { decodeMessage } from "../redis/pipeline-state.ts";
import { errorFields, type Logger } from "../../observability/logger.ts";
import { activityEventSchema } from "../../protocol/index.ts";
import type { IndexingStatus } from "./indexing-protocol.ts";
import { pipelineConsumerConfig } from "./persistence-consumer.ts";
import { backoffMs } from "../../domain/backoff.ts";

const HEARTBEAT_MS = 1000;
const MAX_BACKOFF_MS = 10_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface IndexingConsumerOptions {
  kafka: Kafka;
  client: Client;
  names: IndexNames;
  messagesTopic: string;
  activityTopic: string;
  groupId: string;
  log: Logger;
}

export function startIndexingConsumer(o: IndexingConsumerOptions) {
  const status: IndexingStatus = { indexed: 0, parked: 0, lag: null, failingSince: null };
  let running = true;

  const toDoc = (topic: string, value: string): BulkDoc =>
    topic === o.activityTopic
      ? activityDoc(o.names, activityEventSchema.parse(JSON.parse(value)))
      : messageDoc(o.names, decodeMessage(value));

  /** Until Elasticsearch acknowledged the batch (or the consumer is closing: then it stays uncommitted). */
  const index = async (docs: BulkDoc[], heartbeat: () => Promise<void>) => {
    for (let attempt = 0; running; attempt++) {
      const beating = setInterval(() => void heartbeat().catch(() => {}), HEARTBEAT_MS);
      try {
        const rejected = await bulkWrite(o.client, o.names, docs);
        if (rejected.length) o.log.warn("documents rejected by elasticsearch, parked", { count: rejected.length, index: rejected[0]!.doc.index });
        status.failingSince = null;
        status.indexed += docs.length - rejected.length;
        return;
      } catch (err) {
        status.failingSince ??= Date.now();
        o.log.warn("indexing failed, will retry", { attempt, ...errorFields(err) });
        await sleep(backoffMs(attempt, { firstMs: 250, maxMs: MAX_BACKOFF_MS, jitter: true }));
      } finally {
        clearInterval(beating);
      }
    }
    throw new Error("indexer closing");
  };

  const consumer = o.kafka.consumer(pipelineConsumerConfig(o.groupId));
  const run = async () => {
    await consumer.connect();
    await consumer.subscribe({ topics: [o.messagesTopic, o.activityTopic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset, commitOffsetsIfNecessary, uncommittedOffsets, heartbeat }: EachBatchPayload) => {
        const docs: BulkDoc[] = [];
        for (const m of batch.messages) {
          try {
            if (m.value) docs.push(toDoc(batch.topic, m.value.toString("utf8")));
          } catch {
            // Not ours (or corrupt): no retry can index it, and it must not block the partition.
            o.log.error("undecodable record skipped", { topic: batch.topic, partition: batch.partition, offset: m.offset });
          }
        }
        if (docs.length) await index(docs, heartbeat);
        const last = batch.messages.at(-1);
        if (last) resolveOffset(last.offset);
        await commitOffsetsIfNecessary(uncommittedOffsets());
        await heartbeat();
      },
    });
  };

  void (async () => {
    for (let attempt = 0; running; attempt++) {
      try {
        return await run();
      } catch (err) {
        o.log.warn("indexing consumer not started yet", errorFields(err));
        await consumer.disconnect().catch(() => {});
        await sleep(backoffMs(attempt, { maxMs: MAX_BACKOFF_MS }));
      }
    }
  })();

  return {
    status,
    async close() {
      running = false;
      await consumer.disconnect().catch(() => {});
    },
  };
}
