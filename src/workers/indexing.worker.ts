/// <reference lib="webworker" />
/**
 * The indexing worker: consumes chat.messages and chat.activity into Elasticsearch on its own
 * thread, and reports indexed/parked counts and consumer lag to the socket thread.
 */
import { parkedCount } from "../adapters/elasticsearch/bulk-writer.ts";
import { createElasticClient } from "../adapters/elasticsearch/client.ts";
import { ensureIndices, indexNames } from "../adapters/elasticsearch/indices.ts";
import { createKafka } from "../adapters/kafka/kafka-client.ts";
import { createLogger, errorFields } from "../observability/logger.ts";
import { startIndexingConsumer } from "../adapters/kafka/indexing-consumer.ts";
import type { FromIndexingWorker, IndexingWorkerInit } from "../adapters/kafka/indexing-protocol.ts";
import { lagProbe } from "../adapters/kafka/persistence-consumer.ts";
import { hostWorker } from "../threads/worker-host.ts";
import { backoffMs } from "../domain/backoff.ts";

declare const self: Worker;
const post = (m: FromIndexingWorker) => self.postMessage(m);
const STATUS_EVERY_MS = 2000;

async function start(cfg: IndexingWorkerInit): Promise<() => Promise<void>> {
  const log = createLogger(cfg.logLevel, { worker: "indexing" });
  const client = createElasticClient(cfg.elasticsearchUrl);
  const names = indexNames(cfg.indexPrefix);
  const kafka = createKafka({ brokers: cfg.brokers, clientId: `${cfg.clientId}-indexer` }, log);
  let closed = false;
  let consumer: ReturnType<typeof startIndexingConsumer> | null = null;
  // Mappings before the first document, or Elasticsearch would guess them. Retried in the background:
  // the cluster may be down at startup.
  void (async () => {
    for (let attempt = 0; !closed; attempt++) {
      try {
        await ensureIndices(client, names, cfg.retentionDays);
        consumer = startIndexingConsumer({ kafka, client, names, messagesTopic: cfg.messagesTopic, activityTopic: cfg.activityTopic, groupId: cfg.groupId, log });
        return;
      } catch (err) {
        log.warn("elasticsearch not ready yet (indexer)", errorFields(err));
        await new Promise((r) => setTimeout(r, backoffMs(attempt)));
      }
    }
  })();

  const probes = [lagProbe(kafka, cfg.messagesTopic, cfg.groupId), lagProbe(kafka, cfg.activityTopic, cfg.groupId)];
  let lag: number | null = null;
  let parked = 0;
  let probing = false;
  const report = () => {
    const s = consumer?.status;
    post({ kind: "status", indexed: s?.indexed ?? 0, parked, lag, failingSince: s?.failingSince ?? null });
    if (probing) return;
    probing = true;
    void Promise.all([Promise.all(probes.map((p) => p.lag())), parkedCount(client, names).catch(() => null)])
      .then(([lags, p]) => {
        lag = lags.some((l) => l === null) ? null : lags.reduce<number>((sum, l) => sum + (l ?? 0), 0);
        if (p !== null) parked = p;
      })
      .finally(() => (probing = false));
  };
  const timer = setInterval(report, STATUS_EVERY_MS);
  report();

  return async () => {
    closed = true;
    clearInterval(timer);
    await consumer?.close();
    for (const p of probes) await p.close();
    await client.close();
  };
}

hostWorker(start);
