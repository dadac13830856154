/** Attachments across two instances over MongoDB (FerretDB): bytes in GridFS, metadata in a collection. */
import { afterAll, beforeAll } from "bun:test";
import { MongoClient } from "mongodb";
import { describeWithEngines, scaleOutEnv } from "../support/engines.ts";
import { startServer, type TestServer } from "../support/server.ts";
import { EXPIRY_ENV, expirySuite, FILE_ENV, fileSuite } from "../files/suite.ts";

/** GridFS files and chunks of the deployment's database: both must stay put when an upload is refused. */
const gridFsCount = (uri: string) => async () => {
  const client = new MongoClient(uri);
  try {
    const db = client.db();
    const [files, chunks] = await Promise.all([db.collection("uploads.files").countDocuments(), db.collection("uploads.chunks").countDocuments()]);
    return files + chunks;
  } finally {
    await client.close();
  }
};

// With Kafka: scaled out, message changes (deletions) take their seq in the Kafka pipeline.
describeWithEngines(["redis", "kafka", "mongodb"], "attachments, two instances", () => {
  let one: TestServer;
  let two: TestServer;
  let env: Record<string, string>;
  beforeAll(async () => {
    env = scaleOutEnv(FILE_ENV);
    [one, two] = await Promise.all([startServer({ env }), startServer({ env })]);
  }, 60_000);
  afterAll(() => Promise.all([one?.cleanup(), two?.cleanup()]), 60_000);

  fileSuite(() => ({ one: one.url, two: two.url, stored: gridFsCount(env.MONGODB_URI!) }));
});

describeWithEngines(["redis", "mongodb"], "attachments expire, scale-out", () => {
  let one: TestServer;
  let two: TestServer;
  let env: Record<string, string>;
  beforeAll(async () => {
    env = scaleOutEnv({ ...FILE_ENV, ...EXPIRY_ENV });
    [one, two] = await Promise.all([startServer({ env }), startServer({ env })]);
  }, 60_000);
  afterAll(() => Promise.all([one?.cleanup(), two?.cleanup()]), 60_000);

  expirySuite(() => ({ one: one.url, two: two.url, stored: gridFsCount(env.MONGODB_URI!), logs: () => [...one.logs, ...two.logs] }));
});
