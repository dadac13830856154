import { engineUrl, haveEngines } from "../support/engines.ts";
import { searchSuite } from "./suite.ts";

/** Messages in SQLite, search and analytics in Elasticsearch: the instance indexes its own events (no Kafka). */
const prefix = () => `t${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
searchSuite("elasticsearch, indexed by the instance", () => ({ ELASTICSEARCH_URL: engineUrl("elasticsearch") ?? "", ES_INDEX_PREFIX: prefix() }), !haveEngines("elasticsearch"));
