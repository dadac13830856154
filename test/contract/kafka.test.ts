/**
 * The MessageChangeLog / MessageChangeReader contract on the scale-out write path: the adapters as
 * composition.ts wires them for Redis + Kafka + MongoDB-wire (changes decided in Redis, carried by
 * Kafka, persisted by the pipeline worker), reads laid over the store while changes are in flight.
 */
import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MongoClient } from "mongodb";
import { afterAll } from "bun:test";
import { createAdapters } from "../../src/composition.ts";
import { loadConfig } from "../../src/config.ts";
import { createLogger } from "../../src/observability/logger.ts";
import { describeWithEngines, scaleOutEnv } from "../support/engines.ts";
import { messageChangesContract } from "./message-changes.ts";

describeWithEngines(["redis", "kafka", "mongodb"], "kafka pipeline", () => {
  const env = scaleOutEnv();
  const dataDir = join(tmpdir(), `chat-contract-${env.KAFKA_CLIENT_ID}`);
  afterAll(async () => {
    rmSync(dataDir, { recursive: true, force: true });
    const client = new MongoClient(env.MONGODB_URI!);
    await client.db().dropDatabase();
    await client.close();
  });

  messageChangesContract("redis + kafka + mongodb", async () => {
    const config = loadConfig({ ...env, DATA_DIR: dataDir, LOG_LEVEL: "error" });
    const adapters = await createAdapters(config, createLogger("error"), "contract");
    for (const l of adapters.lifecycle) await l.start?.();
    return {
      log: adapters.log,
      reader: adapters.reader,
      changes: adapters.changes,
      changeReader: adapters.changeReader,
      cleanup: async () => {
        for (const l of adapters.lifecycle.toReversed()) await l.close?.();
      },
    };
  });
});
