/**
 * The Kafka pipeline worker dies (test-only hook): it is restarted, and messages accepted meanwhile
 * and afterwards all reach MongoDB (the consumer resumes from its committed offsets).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { MongoClient } from "mongodb";
import { register, sleep, WsClient } from "../support/client.ts";
import { haveEngines, scaleOutEnv } from "../support/engines.ts";
import { startServer, type TestServer } from "../support/server.ts";

describe.skipIf(!haveEngines("redis", "kafka", "mongodb"))("pipeline worker supervision", () => {
  let server: TestServer;
  let mongo: MongoClient;
  beforeAll(async () => {
    const env = scaleOutEnv({ TEST_FAULT_HOOKS: "true", SEND_RATE_PER_SEC: "1000", SEND_BURST: "1000" });
    server = await startServer({ env });
    mongo = new MongoClient(env.MONGODB_URI!, { serverSelectionTimeoutMS: 5000 });
    await mongo.connect();
  }, 60_000);
  afterAll(async () => {
    await mongo?.close();
    await server?.cleanup();
  }, 30_000);

  const restarts = async () => {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    return Number(text.match(/^chat_worker_restarts_total\{worker="pipeline"\} (\d+)/m)?.[1] ?? NaN);
  };

  test("a killed pipeline worker restarts and persistence carries on without losing an acked message", async () => {
    const a = await register(server.url, "pw");
    const ws = await WsClient.connect(server.url, a);
    const room = "general";
    const before = await Promise.all(Array.from({ length: 20 }, (_, i) => ws.sendMessage(room, `before ${i}`)));
    server.proc.kill("SIGUSR2");
    const after = await Promise.all(Array.from({ length: 20 }, (_, i) => ws.sendMessage(room, `after ${i}`)));

    for (const deadline = Date.now() + 30_000; (await restarts()) !== 1; await sleep(100)) {
      if (Date.now() > deadline) throw new Error("the pipeline worker was not restarted");
    }
    const ids = [...before, ...after].map((x) => x.id);
    const messages = mongo.db().collection<{ _id: string }>("messages");
    for (const deadline = Date.now() + 60_000; (await messages.countDocuments({ _id: { $in: ids } })) < ids.length; await sleep(250)) {
      if (Date.now() > deadline) throw new Error("acked messages did not all reach MongoDB after the restart");
    }
    expect(await messages.countDocuments({ _id: { $in: ids } })).toBe(40);
    // Its health entry is green again (details are shown to loopback requests).
    const health = (await (await fetch(`${server.url}/api/health`)).json()) as { engines: { name: string; ok: boolean }[] };
    expect(health.engines.find((e) => e.name === "worker:pipeline")).toMatchObject({ ok: true, restarts: 1 });
    ws.close();
  }, 120_000);
});
