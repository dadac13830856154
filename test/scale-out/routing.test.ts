/**
 * Two instances on Redis + MongoDB-wire: an instance receives from the bus only the rooms and users
 * it has sockets for, and everything that must cross instances still does.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { createClient } from "redis";
import { api, befriend, register, WsClient, type Account } from "../support/client.ts";
import { describeWithEngines, engineUrl, scaleOutEnv } from "../support/engines.ts";
import { startServer, type TestServer } from "../support/server.ts";

const busReceived = async (server: TestServer) => {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  return Number(/^chat_bus_received_total (\d+)$/m.exec(text)?.[1]);
};

describeWithEngines(["redis", "mongodb"], "routing by room", () => {
  let one: TestServer;
  let two: TestServer;
  let redis: ReturnType<typeof createClient>;
  const sockets: WsClient[] = [];
  const connect = async (server: TestServer, account: Account) => {
    const c = await WsClient.connect(server.url, account);
    sockets.push(c);
    return c;
  };
  /** How many instances subscribe to a topic's bus channel. */
  const instancesOn = async (topic: string) => Number(((await redis.sendCommand(["PUBSUB", "SHARDNUMSUB", `chat:${topic}`])) as [string, number])[1]);
  const waitInstancesOn = async (topic: string, n: number) => {
    for (const until = Date.now() + 10_000; (await instancesOn(topic)) !== n; await Bun.sleep(20)) {
      if (Date.now() > until) throw new Error(`${topic}: ${await instancesOn(topic)} instances, expected ${n}`);
    }
  };
  const group = async (creator: Account, members: Account[]) => {
    const res = await api(one.url, "POST", "/api/groups", { token: creator.accessToken, body: { name: "routed", members: members.map((m) => m.id) } });
    expect(res.status).toBe(201);
    return res.body.id as string;
  };

  beforeAll(async () => {
    const env = scaleOutEnv({ KAFKA_BROKERS: "", SEND_RATE_PER_SEC: "1000", SEND_BURST: "1000" });
    [one, two] = await Promise.all([startServer({ env }), startServer({ env })]);
    redis = createClient({ url: engineUrl("redis") });
    await redis.connect();
  }, 60_000);
  afterAll(async () => {
    for (const s of sockets) s.close();
    await redis?.quit();
    await Promise.all([one?.cleanup(), two?.cleanup()]);
  }, 60_000);

  test("a burst in a room whose members are all on one instance reaches no other instance", async () => {
    const [a1, a2, b1] = await Promise.all([register(one.url, "ra"), register(one.url, "ra"), register(two.url, "rb")]);
    await befriend(one.url, a1, a2);
    const [c1, c2, cb] = await Promise.all([connect(one, a1), connect(one, a2), connect(two, b1)]);
    const room = await group(a1, [a2]);
    await c2.next("room.added", (r) => r.room.id === room);
    await waitInstancesOn(`r:${room}`, 1);

    // A marker through a room both instances hold: everything instance one published before it
    // has reached instance two when the marker has.
    const barrier = async (body: string) => {
      await c1.sendMessage("general", body);
      await cb.next("message", (m) => m.body === body);
    };
    await barrier("before the burst");
    const before = await busReceived(two);

    const acks = await Promise.all(Array.from({ length: 100 }, (_, i) => (i % 2 ? c1 : c2).sendMessage(room, `burst ${i}`)));
    const last = Math.max(...acks.map((a) => a.seq));
    await Promise.all([c1, c2].map((c) => c.next("message", (m) => m.room === room && m.seq === last)));
    await barrier("after the burst");

    expect(await busReceived(two)).toBe(before + 1); // the marker only
    expect(cb.drain("message").filter((m) => m.room === room)).toEqual([]);
  }, 30_000);

  test("rooms across instances, DMs, friend requests and presence still cross; channels follow the sockets", async () => {
    const [a, b] = await Promise.all([register(one.url, "xa"), register(two.url, "xb")]);
    const ca = await connect(one, a);
    let cb = await connect(two, b);
    await waitInstancesOn(`u:${b.id}`, 1);

    // A friend request made on instance one reaches b's socket on instance two, and back.
    expect((await api(one.url, "POST", "/api/friends/requests", { token: a.accessToken, body: { username: b.username } })).status).toBe(201);
    expect((await cb.next("friend", (f) => f.userId === a.id)).op).toBe("requested");
    expect((await api(two.url, "POST", `/api/friends/requests/${a.id}/accept`, { token: b.accessToken })).status).toBe(204);
    expect((await ca.next("friend", (f) => f.userId === b.id)).op).toBe("accepted");

    // A group made on instance one: b's instance routes it before telling b, so a message sent
    // the moment b hears of the room reaches b.
    const room = await group(a, [b]);
    await cb.next("room.added", (r) => r.room.id === room);
    const ack = await ca.sendMessage(room, "straight away");
    expect((await cb.next("message", (m) => m.room === room)).seq).toBe(ack.seq);
    await cb.sendMessage(room, "and back");
    expect((await ca.next("message", (m) => m.room === room && m.body === "and back")).from).toBe(b.id);
    await waitInstancesOn(`r:${room}`, 2);

    const dm = (await ca.request({ type: "dm.open", userId: b.id }, "dm.opened")).room.id;
    await cb.next("room.added", (r) => r.room.id === dm);
    await ca.sendMessage(dm, "direct");
    expect((await cb.next("message", (m) => m.room === dm)).body).toBe("direct");

    // The last socket of b on instance two goes: its channels go with it; presence still crosses.
    cb.close();
    expect((await ca.next("presence", (p) => p.userId === b.id && p.status === "offline")).userId).toBe(b.id);
    await Promise.all([waitInstancesOn(`r:${room}`, 1), waitInstancesOn(`r:${dm}`, 1), waitInstancesOn(`u:${b.id}`, 0)]);
    cb = await connect(two, b);
    expect((await ca.next("presence", (p) => p.userId === b.id && p.status === "online")).userId).toBe(b.id);
    // `ready` came after the routes were in place.
    expect([await instancesOn(`r:${room}`), await instancesOn(`u:${b.id}`)]).toEqual([2, 1]);
    await ca.sendMessage(room, "welcome back");
    expect((await cb.next("message", (m) => m.room === room)).body).toBe("welcome back");
  }, 30_000);
});
