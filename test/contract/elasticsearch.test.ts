/** The search and analytics contracts against a real Elasticsearch (the adapters of scale-out mode). */
import { describe } from "bun:test";
import { createElasticClient } from "../../src/adapters/elasticsearch/client.ts";
import { DirectIndexer } from "../../src/adapters/elasticsearch/direct-indexer.ts";
import { ElasticAnalytics } from "../../src/adapters/elasticsearch/analytics.ts";
import { ensureIndices, indexNames } from "../../src/adapters/elasticsearch/indices.ts";
import { ElasticSearchIndex } from "../../src/adapters/elasticsearch/search-index.ts";
import { createLogger } from "../../src/observability/logger.ts";
import { engineUrl, haveEngines } from "../support/engines.ts";
import { analyticsContract } from "./analytics.ts";
import { uid } from "./fixture.ts";
import { searchIndexContract } from "./search-index.ts";

async function elastic() {
  const client = createElasticClient(engineUrl("elasticsearch")!);
  const names = indexNames(uid("ct"));
  await ensureIndices(client, names, 90);
  return { client, names, cleanup: async () => {
    await client.indices.delete({ index: [names.messages, names.parked] }, { ignore: [404] });
    await client.close();
  } };
}

describe.skipIf(!haveEngines("elasticsearch"))("elasticsearch adapters", () => {
  searchIndexContract("elasticsearch", async () => {
    const es = await elastic();
    const search = new ElasticSearchIndex(es.client, es.names);
    return {
      search,
      seed: async (messages) => {
        await search.index(messages);
        await es.client.indices.refresh({ index: es.names.messages });
      },
      cleanup: es.cleanup,
    };
  });
  analyticsContract("elasticsearch data stream", async () => {
    const es = await elastic();
    const sink = new DirectIndexer(es.client, es.names, Promise.resolve(), createLogger("error"));
    await sink.start();
    return {
      sink,
      analytics: new ElasticAnalytics(es.client, es.names),
      settle: async () => {
        while (sink.status().lag > 0) await new Promise((r) => setTimeout(r, 50));
        await es.client.indices.refresh({ index: es.names.activity });
      },
      cleanup: async () => {
        await sink.close();
        await es.cleanup();
      },
    };
  });
});
