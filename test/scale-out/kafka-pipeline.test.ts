/**
 * The Kafka pipeline's Redis state under the failures it is built for: a Redis that lost a room's
 * counter and cache, and an instance that died after accepting a message but before Kafka had it.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { MongoClient } from "mongodb";
import { createClient } from "redis";
import { RedisPipelineState } from "../../src/adapters/redis/pipeline-state.ts";
import type { RedisClient } from "../../src/adapters/redis/connection.ts";
import { befriend, register, sleep, WsClient, type Account } from "../support/client.ts";
import { describeWithEngines, scaleOutEnv } from "../support/engines.ts";
import { startServer, type TestServer } from "../support/server.ts";

describeWithEngines(["redis", "kafka", "mongodb"], "kafka pipeline", () => {
  let env: Record<string, string>;
  let server: TestServer;
  let mongo: MongoClient;
  let redis: RedisClient;
  let state: RedisPipelineState;
  let alice: Account;
  let bob: Account;
  let a: WsClient;
  let b: WsClient;

  beforeAll(async () => {
    env = scaleOutEnv({ PARKED_RETRY_MS: "500", PARKED_RETRY_MAX_MS: "2000" });
    server = await startServer({ env });
    mongo = new MongoClient(env.MONGODB_URI!, { serverSelectionTimeoutMS: 5000 });
    await mongo.connect();
    redis = createClient({ url: env.REDIS_URL! });
    await redis.connect();
    state = new RedisPipelineState(redis, env.KAFKA_MESSAGES_TOPIC!);
    [alice, bob] = await Promise.all([register(server.url, "pa"), register(server.url, "pb")]);
    await befriend(server.url, alice, bob);
    [a, b] = await Promise.all([WsClient.connect(server.url, alice), WsClient.connect(server.url, bob)]);
  }, 60_000);
  afterAll(async () => {
    a?.close();
    b?.close();
    await redis?.quit();
    await mongo?.close();
    await server?.cleanup();
  }, 30_000);

  const messages = () => mongo.db().collection<{ _id: string; room: string; seq: number; body: string }>("messages");
  async function stored(room: string, count: number) {
    for (const deadline = Date.now() + 30_000; Date.now() < deadline; await sleep(200)) {
      if ((await messages().countDocuments({ room })) >= count) return;
    }
    throw new Error(`room ${room} did not reach ${count} stored messages`);
  }

  test("the senders' read cursors reach MongoDB after their messages, though written once per flush, not per batch", async () => {
    // A DM of its own (the other tests expect alice and bob's to start empty).
    const [carol, dave] = await Promise.all([register(server.url, "pc"), register(server.url, "pd")]);
    await befriend(server.url, carol, dave);
    const [c, d] = await Promise.all([WsClient.connect(server.url, carol), WsClient.connect(server.url, dave)]);
    try {
      const room = (await c.request({ type: "dm.open", userId: dave.id }, "dm.opened")).room.id;
      const acks = await Promise.all([
        ...Array.from({ length: 30 }, (_, i) => c.sendMessage(room, `carol ${i}`)),
        ...Array.from({ length: 20 }, (_, i) => d.sendMessage(room, `dave ${i}`)),
      ]);
      const newest = (who: string) => Math.max(...acks.filter((_, i) => (who === carol.id ? i < 30 : i >= 30)).map((x) => x.seq));
      await stored(room, 50);
      // Then no more traffic: the deferred moves must still be flushed (by the idle flush).
      const memberships = mongo.db().collection<{ room: string; user: string; lastReadSeq: number }>("memberships");
      const cursors = async () => Object.fromEntries((await memberships.find({ room }).toArray()).map((m) => [m.user, m.lastReadSeq]));
      for (const deadline = Date.now() + 30_000; ; await sleep(200)) {
        const now = await cursors();
        if (now[carol.id] === newest(carol.id) && now[dave.id] === newest(dave.id)) break;
        if (Date.now() > deadline) throw new Error(`cursors ${JSON.stringify(now)} never reached ${newest(carol.id)} and ${newest(dave.id)}`);
      }
    } finally {
      c.close();
      d.close();
    }
  }, 60_000);

  test("a Redis that lost a room's counter and cache continues after the store's last seq, never reusing one", async () => {
    const room = (await a.request({ type: "dm.open", userId: bob.id }, "dm.opened")).room.id;
    for (let i = 1; i <= 5; i++) await a.sendMessage(room, `before ${i}`);
    await stored(room, 5);
    await redis.del([state.keys.seq(room), state.keys.recent(room), state.keys.unpersisted(room)]);

    const acks = await Promise.all([a.sendMessage(room, "after 1"), b.sendMessage(room, "after 2")]);
    expect(acks.map((x) => x.seq).sort()).toEqual([6, 7]);
    await stored(room, 7);
    const seqs = (await messages().find({ room }).toArray()).map((m) => m.seq).sort((x, y) => x - y);
    expect(seqs).toEqual([1, 2, 3, 4, 5, 6, 7]);
  }, 60_000);

  test("a Redis that lost a room's counter continues after the store's newest change, not only its newest message", async () => {
    const room = (await a.request({ type: "dm.open", userId: bob.id }, "dm.opened")).room.id;
    const first = await a.sendMessage(room, "to be reacted to");
    const reaction = await a.request({ type: "react", room, id: first.id, emoji: "👍", on: true }, "ack");
    expect(reaction.seq).toBe(first.seq + 1);
    for (const deadline = Date.now() + 30_000; !(await messages().findOne({ _id: first.id, rev: reaction.seq })); await sleep(200)) {
      if (Date.now() > deadline) throw new Error("the reaction never reached MongoDB");
    }
    await redis.del([state.keys.seq(room), state.keys.recent(room), state.keys.unpersisted(room), state.keys.state(room, first.id), state.keys.changes(room)]);

    const next = await b.sendMessage(room, "after the loss");
    expect(next.seq).toBe(reaction.seq + 1);
    // The message's state is seeded again from the store: the reaction is still there.
    const again = await b.request({ type: "react", room, id: first.id, emoji: "👍", on: true }, "ack");
    expect(again.seq).toBe(next.seq + 1);
    const resumed = await a.request({ type: "resume", room, afterSeq: next.seq }, "resumed");
    expect(resumed.updates!.map((m) => m.reactions)).toEqual([[{ emoji: "👍", users: [alice.id, bob.id] }]]);
  }, 60_000);

  test("a message accepted by an instance that died before Kafka acked it is published from the outbox and stored", async () => {
    const room = "general";
    const first = await a.sendMessage(room, "live one");
    // What an instance leaves behind when it dies between accepting and Kafka's ack: accepted in
    // Redis (seq, cache, outbox entry whose lease has run out), never produced.
    const id = crypto.randomUUID();
    const accepted = await state.accept(
      { id, room, from: bob.id, fromName: bob.username, body: "orphan", createdAt: Date.now(), clientId: `orphan-${id}` },
      Date.now() - 60_000,
    );
    if (accepted === "unseeded") throw new Error("room not seeded");
    expect(accepted.message.seq).toBe(first.seq + 1);

    // Readers see it at once (cache); the relay publishes it and the worker stores it.
    const resumed = await a.request({ type: "resume", room, afterSeq: first.seq }, "resumed");
    expect(resumed.messages.map((m) => m.id)).toContain(id);
    for (const deadline = Date.now() + 30_000; !(await messages().findOne({ _id: id })); await sleep(200)) {
      if (Date.now() > deadline) throw new Error("the orphaned message never reached MongoDB");
    }
    expect((await messages().findOne({ _id: id }))!.seq).toBe(accepted.message.seq);
    for (const deadline = Date.now() + 10_000; (await state.parkedCount()) > 0; await sleep(200)) {
      if (Date.now() > deadline) throw new Error("the outbox did not drain");
    }
  }, 60_000);

  test("rolling upgrade: a retry recorded under the old (sender, clientId) key stays a duplicate in its room only", async () => {
    const room = "general";
    const original = await a.sendMessage(room, "sent through an old instance");
    const clientId = `legacy-${crypto.randomUUID()}`;
    // What a release before per-room idempotency left in Redis for a send with this clientId.
    const stored = (await a.request({ type: "history", room, limit: 1 }, "history")).messages[0]!;
    expect(stored.id).toBe(original.id);
    await redis.set(state.keys.legacyIdem(alice.id, clientId), JSON.stringify({ ...stored, clientId }), { EX: 600 });

    const retry = await a.sendMessage(room, "retried on a new instance", clientId);
    expect(retry).toMatchObject({ id: original.id, seq: original.seq, duplicate: true });
    const dm = (await a.request({ type: "dm.open", userId: bob.id }, "dm.opened")).room.id;
    expect((await a.sendMessage(dm, "same clientId, another room", clientId)).duplicate).toBe(false);
  }, 60_000);
});
