/**
 * Engine outages in the middle of traffic. These tests stop and start the shared engines, so they
 * restart them in `finally` whatever happens.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { MongoClient } from "mongodb";
import { api, befriend, register, sleep, WsClient, type Account } from "../support/client.ts";
import { ctl, until } from "../support/engine-ctl.ts";
import { describeWithEngines, scaleOutEnv } from "../support/engines.ts";
import { startServer, type TestServer } from "../support/server.ts";


describeWithEngines(["redis", "kafka", "mongodb"], "engine outages", () => {
  let server: TestServer;
  let mongo: MongoClient;
  let owner: Account;
  let members: Account[];
  let clients: WsClient[];

  beforeAll(async () => {
    // Short retry intervals: parked messages go out within a couple of seconds of Kafka's return.
    const env = scaleOutEnv({ PARKED_RETRY_MS: "500", PARKED_RETRY_MAX_MS: "2000", SEND_RATE_PER_SEC: "100000", SEND_BURST: "100000" });
    server = await startServer({ env });
    mongo = new MongoClient(env.MONGODB_URI!, { serverSelectionTimeoutMS: 5000 });
    await mongo.connect();
    owner = await register(server.url, "out");
    members = await Promise.all([register(server.url, "om"), register(server.url, "om"), register(server.url, "om")]);
    for (const m of members) await befriend(server.url, owner, m);
    clients = await Promise.all([owner, ...members].map((a) => WsClient.connect(server.url, a)));
  }, 60_000);
  afterAll(async () => {
    for (const c of clients ?? []) c.close();
    await mongo?.close();
    await server?.cleanup();
  }, 30_000);

  const newRoom = async () =>
    (await api(server.url, "POST", "/api/groups", { token: owner.accessToken, body: { name: "outage", members: members.map((m) => m.id) } })).body.id as string;

  /** Sends `total` messages spread over the clients (pipelined), calling `midway` once half are acked. */
  async function burst(room: string, total: number, midway: () => Promise<void>) {
    const acked = new Map<string, number>();
    let fired: Promise<void> | null = null;
    await Promise.all(
      clients.map(async (c, ci) => {
        const mine = Array.from({ length: total / clients.length }, (_, i) => i);
        for (let i = 0; i < mine.length; i += 25) {
          const acks = await Promise.all(mine.slice(i, i + 25).map((n) => c.sendMessage(room, `m ${ci} ${n}`, `${room}-${ci}-${n}`)));
          for (const a of acks) acked.set(a.id, a.seq);
          if (!fired && acked.size >= total / 2) fired = midway();
        }
      }),
    );
    await fired;
    return acked;
  }

  /** Every acked message is in MongoDB exactly once, with its seq, and the room's seqs have no gaps. */
  async function expectAllStored(room: string, acked: Map<string, number>) {
    const messages = mongo.db().collection<{ _id: string; room: string; seq: number }>("messages");
    await until("all acked messages in MongoDB", async () => (await messages.countDocuments({ room })) >= acked.size, 90_000);
    const docs = await messages.find({ room }).toArray();
    expect(docs).toHaveLength(acked.size);
    expect(new Set(docs.map((d) => d._id)).size).toBe(acked.size); // once by id
    expect(new Set(docs.map((d) => d.seq)).size).toBe(acked.size); // once by (room, seq)
    for (const d of docs) expect(acked.get(d._id)).toBe(d.seq);
    expect(docs.map((d) => d.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: acked.size }, (_, i) => i + 1));
  }

  const health = async () => (await api(server.url, "GET", "/api/health")).body;
  const kafkaHealth = async () => (await health()).engines.find((e: { name: string }) => e.name === "kafka");
  /** Nothing parked, and the persistence worker committed everything (it commits only after writing). */
  const drained = () =>
    until("the parking lot to drain and the consumer to commit", async () => {
      const k = await kafkaHealth();
      return k.parked === 0 && k.lag === 0;
    });

  afterAll(() => {
    if (process.env.DEBUG_OUTAGE) console.log(server.logs.slice(-40).join("\n"));
  });

  test("Kafka stopped during 2,000 sends and restarted: every acked message ends up in MongoDB exactly once", async () => {
    const room = await newRoom();
    try {
      const acked = await burst(room, 2000, async () => void (await ctl("stop", "kafka")));
      expect(acked.size).toBe(2000);
      expect((await kafkaHealth()).parked).toBeGreaterThan(0); // accepted while Kafka was away
      await ctl("start", "kafka");
      await expectAllStored(room, acked);
      await drained();
    } finally {
      await ctl("start", "kafka");
    }
  }, 180_000);

  test("Kafka stopped: edits, a deletion and reactions are acked from the outbox and reach MongoDB once it is back", async () => {
    const room = await newRoom();
    const [a, b] = clients as [WsClient, WsClient];
    const m1 = await a.sendMessage(room, "to be edited");
    const m2 = await a.sendMessage(room, "to be deleted");
    await drained();
    try {
      await ctl("stop", "kafka");
      const acks = [
        await a.request({ type: "edit", room, id: m1.id, body: "edited while Kafka was away", clientId: crypto.randomUUID() }, "ack"),
        await b.request({ type: "react", room, id: m1.id, emoji: "👍", on: true }, "ack"),
        await a.request({ type: "delete", room, id: m2.id }, "ack"),
      ];
      expect(acks.map((x) => x.seq)).toEqual([m2.seq + 1, m2.seq + 2, m2.seq + 3]);
      expect((await kafkaHealth()).parked).toBeGreaterThan(0);
      await ctl("start", "kafka");
      const messages = mongo.db().collection<Record<string, unknown> & { _id: string }>("messages");
      const persisted = async (id: string, rev: number) => until(`change ${rev} in MongoDB`, async () => (await messages.findOne({ _id: id }))?.rev === rev);
      await persisted(m1.id, m2.seq + 2);
      await persisted(m2.id, m2.seq + 3);
      expect(await messages.findOne({ _id: m1.id })).toMatchObject({ body: "edited while Kafka was away", reactions: [{ emoji: "👍", users: [members[0]!.id] }] });
      expect(await messages.findOne({ _id: m2.id })).toMatchObject({ body: "", deleted: true });
      await drained();
    } finally {
      await ctl("start", "kafka");
    }
  }, 180_000);

  test("MongoDB stopped for a while during sends and a change: nothing is lost or doubled once it is back", async () => {
    const room = await newRoom();
    let unstored = "";
    try {
      const acked = await burst(room, 1000, async () => void (await ctl("stop", "mongo")));
      expect(acked.size).toBe(1000);
      // MongoDB is down now: 300 more, then resume them. What Kafka has and MongoDB does not comes
      // from Redis, in full (more than the cache's usual 200: unstored messages are never trimmed).
      for (let i = 0; i < 300; i += 50) {
        const acks = await Promise.all(Array.from({ length: 50 }, (_, j) => clients[0]!.sendMessage(room, `down ${i + j}`, `${room}-down-${i + j}`)));
        for (const a of acks) acked.set(a.id, a.seq);
      }
      const resumed = await clients[1]!.request({ type: "resume", room, afterSeq: 1000, limit: 300 }, "resumed");
      expect(resumed.messages.map((m) => m.seq)).toEqual(Array.from({ length: 300 }, (_, i) => 1001 + i));
      // A change to a message not stored yet is decided in Redis and comes back with resume too.
      unstored = [...acked].find(([, seq]) => seq === 1100)![0];
      expect((await clients[1]!.request({ type: "react", room, id: unstored, emoji: "👍", on: true }, "ack")).seq).toBe(1301);
      const after = await clients[1]!.request({ type: "resume", room, afterSeq: 1200 }, "resumed");
      expect(after.messages.map((m) => m.seq)).toEqual(Array.from({ length: 100 }, (_, i) => 1201 + i));
      expect(after.updates!.map((m) => [m.seq, m.rev])).toEqual([[1100, 1301]]);
      // The worker cannot write: it retries, then gives its batch back uncommitted (health is a few
      // seconds behind). Down long enough for that: three attempts, each up to the driver's 10 s.
      await until("a batch given back uncommitted", async () => {
        const k = await kafkaHealth();
        return k.lag > 0 && k.batchesRetried > 0 && !k.ok;
      }, 60_000);
      await ctl("start", "mongo");
      await expectAllStored(room, acked);
      const messages = mongo.db().collection<{ _id: string; rev?: number }>("messages");
      await until("the change made while MongoDB was down stored", async () => (await messages.findOne({ _id: unstored }))?.rev === 1301);
      await drained();
    } finally {
      await ctl("start", "mongo");
    }
  }, 180_000);

  test("Redis restarted: fan-out resumes and clients recover any gap with resume", async () => {
    const room = await newRoom();
    const [sender, receiver] = [clients[0]!, clients[1]!];
    const first = await sender.sendMessage(room, "before restart");
    await receiver.next("message", (m) => m.room === room && m.seq === first.seq);
    try {
      await ctl("restart", "redis");
    } finally {
      await ctl("start", "redis");
    }
    // Sends fail while the server reconnects; a client retries with the same clientId.
    let ack;
    for (let i = 0; !ack && i < 50; i++) ack = await sender.sendMessage(room, "after restart", "after-restart").catch(() => sleep(200).then(() => undefined));
    expect(ack!.seq).toBe(first.seq + 1);
    // Live delivery may have raced the bus resubscribing; resume fills any gap.
    const resumed = await receiver.request({ type: "resume", room, afterSeq: first.seq }, "resumed");
    expect(resumed.messages.map((m) => m.body)).toEqual(["after restart"]);
    // And the bus carries new messages again.
    await until("bus resubscribed", async () => {
      const a = await sender.sendMessage(room, `ping ${Date.now()}`);
      return receiver.next("message", (m) => m.room === room && m.seq === a.seq, 1000).then(() => true, () => false);
    });
  }, 120_000);
});
