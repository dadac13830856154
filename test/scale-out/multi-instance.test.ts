/** Two real instances sharing Redis, Kafka and MongoDB: users on different instances chat as if on one. */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { api, befriend, register, WsClient } from "../support/client.ts";
import { describeWithEngines, scaleOutEnv } from "../support/engines.ts";
import { startServer, type TestServer } from "../support/server.ts";

describeWithEngines(["redis", "kafka", "mongodb"], "two instances", () => {
  let one: TestServer;
  let two: TestServer;
  const sockets: WsClient[] = [];
  const connect = async (server: TestServer, account: Awaited<ReturnType<typeof register>>) => {
    const c = await WsClient.connect(server.url, account);
    sockets.push(c);
    return c;
  };

  beforeAll(async () => {
    const env = scaleOutEnv({ PRESENCE_TTL_SEC: "6", SEND_RATE_PER_SEC: "1000", SEND_BURST: "1000" });
    [one, two] = await Promise.all([startServer({ env }), startServer({ env })]);
  }, 60_000);
  afterAll(async () => {
    for (const s of sockets) s.close();
    await Promise.all([one?.cleanup(), two?.cleanup()]);
  }, 60_000);

  test("DMs, typing, presence and read receipts cross instances; per-room seq stays gap-free", async () => {
    const alice = await register(one.url, "xa");
    const bob = await register(two.url, "xb"); // an account made on either instance works on both
    const b = await connect(two, bob);
    await befriend(one.url, alice, bob);
    const a = await connect(one, alice);
    expect((await b.next("presence", (p) => p.userId === alice.id)).status).toBe("online");

    const room = (await a.request({ type: "dm.open", userId: bob.id }, "dm.opened")).room.id;
    // Bob is on the other instance: the new DM reaches him through the bus, listed like any room.
    expect((await b.next("room.added", (r) => r.room.id === room)).room).toMatchObject({ kind: "dm", createdBy: null, peer: { id: alice.id } });
    a.send({ type: "typing", room, on: true });
    expect((await b.next("typing", (t) => t.room === room)).on).toBe(true);

    const acks = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).sendMessage(room, `x${i}`)));
    expect(acks.map((x) => x.seq).sort((p, q) => p - q)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    await a.next("message", (m) => m.room === room && m.seq === 40);
    await b.next("message", (m) => m.room === room && m.seq === 40);
    const seenByA = a.drain("message").filter((m) => m.room === room).map((m) => m.seq);
    expect(new Set(seenByA).size).toBe(seenByA.length);

    b.send({ type: "read", room, seq: 40 });
    expect((await a.next("read", (r) => r.userId === bob.id)).seq).toBe(40);
  });

  test("room messages fan out to members on both instances", async () => {
    const users = await Promise.all([register(one.url, "ra"), register(one.url, "rb"), register(two.url, "rc")]);
    const [x, y, z] = users as [typeof users[0], typeof users[0], typeof users[0]];
    const [cx, cy, cz] = await Promise.all([connect(one, x), connect(two, y), connect(two, z)]);
    const ack = await cx!.sendMessage("general", "hello cluster");
    for (const c of [cy!, cz!]) expect((await c.next("message", (m) => m.seq === ack.seq && m.room === "general")).body).toBe("hello cluster");
  });

  test("kill -9 of an instance: its users go offline elsewhere, reconnect to the other and resume without gaps or duplicates", async () => {
    const stayer = await register(one.url, "ks");
    const mover = await register(two.url, "km");
    await befriend(one.url, stayer, mover);
    const s = await connect(one, stayer);
    let m = await connect(two, mover);
    await s.next("presence", (p) => p.userId === mover.id && p.status === "online");
    const room = (await s.request({ type: "dm.open", userId: mover.id }, "dm.opened")).room.id;
    await s.sendMessage(room, "before crash");
    const lastSeen = (await m.next("message", (x) => x.room === room)).seq;

    const crashedAt = Date.now();
    await two.crash();
    const offline = await s.next("presence", (p) => p.userId === mover.id && p.status === "offline", 30_000);
    expect(Date.now() - crashedAt).toBeLessThan(30_000);
    expect(offline.lastSeen).not.toBeNull();

    for (let i = 1; i <= 5; i++) await s.sendMessage(room, `while away ${i}`);
    m = await connect(one, mover); // the load balancer sends the reconnect to the survivor
    const resumed = await m.request({ type: "resume", room, afterSeq: lastSeen }, "resumed");
    expect(resumed.messages.map((x) => x.body)).toEqual(["while away 1", "while away 2", "while away 3", "while away 4", "while away 5"]);
    expect(resumed.messages.map((x) => x.seq)).toEqual([2, 3, 4, 5, 6]);
    await s.sendMessage(room, "welcome back");
    expect((await m.next("message", (x) => x.room === room)).seq).toBe(7);
    // No duplicate of anything above: the next message of the room is the marker sent after it.
    await s.sendMessage(room, "marker");
    expect(await m.next("message", (x) => x.room === room)).toMatchObject({ body: "marker", seq: 8 });
    expect((await api(one.url, "GET", "/api/friends", { token: stayer.accessToken })).body.friends[0].online).toBe(true);
  }, 60_000);
});
