/**
 * `npm run reindex [-- --recreate]`: rebuilds the search index from the message store — for a new
 * Elasticsearch, a mapping change (--recreate drops the messages index first) or after data loss.
 * With ELASTICSEARCH_URL: every message from MongoDB (or SQLite) is bulk-indexed by id (safe while
 * the server runs: documents are overwritten, never duplicated). Without: the SQLite FTS5 table is
 * rebuilt in one transaction (writes pause meanwhile). Prints progress as it goes.
 */
import { join } from "node:path";
import { loadConfig, type Config } from "../config.ts";
import type { ChatMessage } from "../domain/model.ts";
import { openDatabase } from "../adapters/sqlite/database.ts";
import { rebuildSearch } from "../adapters/sqlite/search-schema.ts";
import { sqliteMessageCount, sqliteMessagePages } from "../adapters/sqlite/message-export.ts";

const PAGE = 2000;
const openChatDb = (config: Config) =>
  openDatabase(join(config.DATA_DIR, "chat.db"), { synchronous: config.SQLITE_SYNCHRONOUS, busyTimeoutMs: config.SQLITE_BUSY_TIMEOUT_MS }, true);
const say = (line: string) => process.stdout.write(`${line}\n`);

async function source(config: Config): Promise<{ total: number; pages: AsyncGenerator<ChatMessage[]>; close(): Promise<void> }> {
  if (config.MONGODB_URI) {
    const { MongoConnection } = await import("../adapters/mongodb/connection.ts");
    const { mongoMessageCount, mongoMessagePages } = await import("../adapters/mongodb/message-export.ts");
    const mongo = new MongoConnection({ uri: config.MONGODB_URI });
    await mongo.start();
    return { total: await mongoMessageCount(mongo.db), pages: mongoMessagePages(mongo.db, PAGE), close: () => mongo.close() };
  }
  const db = openChatDb(config);
  return { total: sqliteMessageCount(db), pages: sqliteMessagePages(db, PAGE), close: async () => db.close() };
}

async function reindexElasticsearch(config: Config, recreate: boolean) {
  const { createElasticClient } = await import("../adapters/elasticsearch/client.ts");
  const { ensureIndices, indexNames } = await import("../adapters/elasticsearch/indices.ts");
  const { bulkWrite } = await import("../adapters/elasticsearch/bulk-writer.ts");
  const { messageDoc } = await import("../adapters/elasticsearch/documents.ts");
  const client = createElasticClient(config.ELASTICSEARCH_URL!);
  const names = indexNames(config.ES_INDEX_PREFIX);
  if (recreate) {
    await client.indices.delete({ index: names.messages }, { ignore: [404] });
    say(`dropped ${names.messages}`);
  }
  await ensureIndices(client, names, config.ACTIVITY_RETENTION_DAYS);
  const src = await source(config);
  const started = performance.now();
  let done = 0;
  let parked = 0;
  try {
    for await (const page of src.pages) {
      parked += (await bulkWrite(client, names, page.map((m) => messageDoc(names, m)))).length;
      done += page.length;
      const rate = Math.round(done / ((performance.now() - started) / 1000));
      say(`indexed ${done}/${src.total} messages into ${names.messages} (${rate}/s)`);
    }
  } finally {
    await src.close();
    await client.close();
  }
  say(`done: ${done} messages${parked ? `, ${parked} rejected and parked in ${names.parked}` : ""}`);
}

function reindexSqlite(config: Config) {
  const db = openChatDb(config);
  const total = sqliteMessageCount(db);
  try {
    const done = db.transaction(() => rebuildSearch(db, (n) => say(`indexed ${n}/${total} messages into SQLite FTS5`))).immediate();
    say(`done: ${done} messages`);
  } finally {
    db.close();
  }
}

const config = loadConfig();
if (config.ELASTICSEARCH_URL) await reindexElasticsearch(config, process.argv.includes("--recreate"));
else reindexSqlite(config);
