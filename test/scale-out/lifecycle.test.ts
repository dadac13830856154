/**
 * Message lifecycle across two real instances sharing Redis, Kafka, MongoDB and Elasticsearch:
 * changes made on one reach clients of the other live and by resume, in the same state; a deleted
 * body is erased from MongoDB, Redis and the search index; the persistence worker applies replayed
 * and redelivered changes once.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { Kafka, logLevel } from "kafkajs";
import { MongoClient } from "mongodb";
import { createClient } from "redis";
import type { RedisClient } from "../../src/adapters/redis/connection.ts";
import type { ChatMessage } from "../../src/protocol/index.ts";
import { api, befriend, register, sleep, WsClient, type Account } from "../support/client.ts";
import { describeWithEngines, engineUrl, scaleOutEnv } from "../support/engines.ts";
import { startServer, type TestServer } from "../support/server.ts";
import { RoomState } from "../protocol/lifecycle.ts";
import { eventually } from "../search/suite.ts";

describeWithEngines(["redis", "kafka", "mongodb", "elasticsearch"], "message lifecycle on two instances", () => {
  let env: Record<string, string>;
  let one: TestServer;
  let two: TestServer;
  let mongo: MongoClient;
  let redis: RedisClient;
  const sockets: WsClient[] = [];
  const connect = async (server: TestServer, account: Account) => {
    const c = await WsClient.connect(server.url, account);
    sockets.push(c);
    return c;
  };
  const ack = (c: WsClient, frame: Record<string, unknown>) => c.request(frame, "ack");
  const messages = () => mongo.db().collection<Record<string, unknown> & { _id: string; room: string; seq: number; rev?: number }>("messages");
  const tag = () => `w${crypto.randomUUID().replace(/-/g, "").slice(0, 12)}`;

  beforeAll(async () => {
    env = scaleOutEnv({ ELASTICSEARCH_URL: engineUrl("elasticsearch") ?? "", TEST_FAULT_HOOKS: "true", SEND_RATE_PER_SEC: "1000", SEND_BURST: "1000" });
    [one, two] = await Promise.all([startServer({ env }), startServer({ env })]);
    mongo = new MongoClient(env.MONGODB_URI!, { serverSelectionTimeoutMS: 5000 });
    await mongo.connect();
    redis = createClient({ url: env.REDIS_URL! });
    await redis.connect();
  }, 90_000);
  afterAll(async () => {
    for (const s of sockets) s.close();
    await redis?.quit();
    await mongo?.close();
    await Promise.all([one?.cleanup(), two?.cleanup()]);
  }, 60_000);

  /** A group made on instance one with `n` members; returns the accounts and the group id. */
  async function group(n: number) {
    const users = await Promise.all(Array.from({ length: n }, () => register(one.url, "ml")));
    for (const u of users.slice(1)) await befriend(one.url, users[0]!, u);
    const room = (await api(one.url, "POST", "/api/groups", { token: users[0]!.accessToken, body: { name: "two", members: users.slice(1).map((u) => u.id) } })).body.id as string;
    return { users, room };
  }
  const search = (server: TestServer, who: Account, q: string, room: string) =>
    api(server.url, "GET", `/api/search?q=${q}&room=${encodeURIComponent(room)}`, { token: who.accessToken }).then((r) => (r.body as { hits: { message: ChatMessage }[] }).hits);

  test("edits, a delete and reactions made on one instance reach the other live and by resume in the same state; the deleted body is gone from MongoDB, Redis and search", async () => {
    const { users, room } = await group(4);
    const [alice, dave, bob, carol] = users as [Account, Account, Account, Account];
    const [a, d] = [await connect(one, alice), await connect(one, dave)];
    const [b, c] = [await connect(two, bob), await connect(two, carol)];
    const [oldWord, newWord, goneWord] = [tag(), tag(), tag()];
    const m1 = await a.sendMessage(room, `first ${oldWord}`);
    const m2 = await a.sendMessage(room, `second ${goneWord} soon deleted`);
    const m3 = await d.sendMessage(room, "third, to react to");
    const online = new RoomState(room);
    await online.until(b, m3.seq);
    const offline = new RoomState(room);
    await offline.until(c, m3.seq);
    c.close();
    // Indexed before the delete, so its removal below is what makes it unfindable.
    await eventually(() => search(two, bob, goneWord, room), (hits) => expect(hits.map((h) => h.message.id)).toEqual([m2.id]));

    const edit = await ack(a, { type: "edit", room, id: m1.id, body: `first ${newWord}`, clientId: crypto.randomUUID() });
    const del = await ack(a, { type: "delete", room, id: m2.id });
    const reactions = [await ack(a, { type: "react", room, id: m3.id, emoji: "👍", on: true }), await ack(d, { type: "react", room, id: m3.id, emoji: "👍", on: true }), await ack(d, { type: "react", room, id: m3.id, emoji: "🎉", on: true })];
    expect([edit, del, ...reactions].map((x) => x.seq)).toEqual([1, 2, 3, 4, 5].map((i) => m3.seq + i));

    // Live on the other instance.
    await online.until(b, m3.seq + 5);
    const state = online.sorted();
    expect(state[0]).toMatchObject({ body: `first ${newWord}`, rev: edit.seq });
    expect(state[1]).toMatchObject({ body: "", deleted: true, rev: del.seq });
    expect(state[2]!.reactions).toEqual([
      { emoji: "👍", users: [alice.id, dave.id] },
      { emoji: "🎉", users: [dave.id] },
    ]);

    // By resume on the other instance, and history on both, in the same state.
    const back = await connect(two, carol);
    const resumed = await back.request({ type: "resume", room, afterSeq: m3.seq }, "resumed");
    expect(resumed.lastSeq).toBe(m3.seq + 5);
    for (const m of [...resumed.updates!, ...resumed.messages]) offline.put(m);
    expect(offline.sorted()).toEqual(state);
    for (const c2 of [back, a]) expect((await c2.request({ type: "history", room }, "history")).messages.toReversed()).toEqual(state);

    // MongoDB: once persisted, the tombstone has no body, and no document of the room holds the deleted text.
    await eventually(() => messages().findOne({ _id: m3.id }), (doc) => expect(doc?.rev).toBe(m3.seq + 5));
    const tombstone = await messages().findOne({ _id: m2.id });
    expect(tombstone).toMatchObject({ body: "", deleted: true, rev: del.seq });
    expect(Object.keys(tombstone!).sort()).toEqual(["_id", "body", "clientId", "createdAt", "deleted", "from", "fromName", "rev", "room", "seq"]);
    const roomDocs = await messages().find({ room }).toArray();
    expect(JSON.stringify(roomDocs)).not.toContain(goneWord);
    expect(JSON.stringify(roomDocs)).toContain(newWord);

    // Redis: the recent cache, the send's idempotency record and the changed states carry no deleted body.
    const keys = await redis.keys(`*${room}*`);
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) {
      const type = await redis.type(key);
      const value = type === "string" ? await redis.get(key) : type === "zset" ? (await redis.zRange(key, 0, -1)).join("\n") : JSON.stringify(await redis.hGetAll(key));
      expect(value ?? "").not.toContain(goneWord);
      expect(value ?? "").not.toContain(oldWord);
    }

    // Search: the edit is found by its new text only, the deleted message not at all.
    await eventually(() => search(one, alice, newWord, room), (hits) => expect(hits.map((h) => h.message.body)).toEqual([`first ${newWord}`]));
    await eventually(() => search(one, alice, goneWord, room), (hits) => expect(hits).toEqual([]));
    expect(await search(two, bob, oldWord, room)).toEqual([]);
  }, 120_000);

  test("the persistence worker applies replayed changes once: killed mid-burst, and older states redelivered, MongoDB ends in the live state", async () => {
    const { users, room } = await group(3);
    const clients = await Promise.all(users.map((u, i) => connect(i === 2 ? two : one, u)));
    const target = await clients[0]!.sendMessage(room, "target of a burst");
    const watcher = new RoomState(room);
    await watcher.until(clients[2]!, target.seq);
    const emoji = ["👍", "❤️", "😂", "🎉", "🔥", "👀", "🙏", "✅", ":party_parrot:", ":+1:"];
    // A burst of changes; the pipeline workers (persistence) are killed in the middle of it.
    const burst = clients.flatMap((c) => emoji.map((e) => ack(c, { type: "react", room, id: target.id, emoji: e, on: true })));
    await sleep(50);
    one.proc.kill("SIGUSR2");
    const acks = await Promise.all([...burst, ack(clients[0]!, { type: "edit", room, id: target.id, body: "target, edited", clientId: crypto.randomUUID() })]);
    const head = Math.max(...acks.map((x) => x.seq));
    expect(head).toBe(target.seq + 31);
    await watcher.until(clients[2]!, head);
    const restarts = async () => Number((await (await fetch(`${one.url}/metrics`)).text()).match(/^chat_worker_restarts_total\{worker="pipeline"\} (\d+)/m)?.[1]);
    await eventually(restarts, (n) => expect(n).toBeGreaterThanOrEqual(1));
    const live = watcher.messages.get(target.id)!;
    expect(live.reactions!.flatMap((r) => r.users)).toHaveLength(30);

    const stored = async () => {
      const doc = await messages().findOne({ _id: target.id });
      return doc && { body: doc.body, rev: doc.rev, reactions: doc.reactions };
    };
    const expected = { body: live.body, rev: head, reactions: live.reactions };
    await eventually(stored, (doc) => expect(doc).toEqual(expected), 60_000);

    // The room's records produced again (a redelivery after the newest state was stored, newest first).
    const kafka = new Kafka({ clientId: "replay", brokers: env.KAFKA_BROKERS!.split(","), logLevel: logLevel.NOTHING });
    const consumer = kafka.consumer({ groupId: `replay-${tag()}` });
    const records: { key: Buffer | null; value: Buffer | null }[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic: env.KAFKA_MESSAGES_TOPIC!, fromBeginning: true });
    const admin = kafka.admin();
    await admin.connect();
    const total = (await admin.fetchTopicOffsets(env.KAFKA_MESSAGES_TOPIC!)).reduce((n, p) => n + Number(p.high), 0);
    await admin.disconnect();
    await consumer.run({ eachMessage: async ({ message }) => void records.push({ key: message.key, value: message.value }) });
    for (const deadline = Date.now() + 30_000; records.length < total; await sleep(100)) {
      if (Date.now() > deadline) throw new Error(`read ${records.length} of ${total} records`);
    }
    await consumer.disconnect();
    const mine = records.filter((r) => r.key?.toString() === room);
    expect(mine.length).toBeGreaterThanOrEqual(32); // the message and its 31 changes
    // Only the older states: a batch keeps the newest state of a message, so these must each lose to the stored one.
    const older = mine.filter((r) => ((JSON.parse(r.value!.toString()) as { rev?: number }).rev ?? 0) < head);
    expect(older.length).toBeGreaterThanOrEqual(31);
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: env.KAFKA_MESSAGES_TOPIC!, messages: older.toReversed().map((r) => ({ key: r.key, value: r.value })) });
    await producer.disconnect();
    // A marker after the replay: once it is stored, the replayed records before it were applied.
    const marker = await clients[0]!.sendMessage(room, "after the replay");
    await eventually(() => messages().findOne({ _id: marker.id }), (doc) => expect(doc).not.toBeNull(), 60_000);
    expect(await stored()).toEqual(expected);
    expect(await messages().countDocuments({ room })).toBe(2);
  }, 180_000);
});
