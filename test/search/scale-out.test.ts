/**
 * Search and analytics scaled out: events and messages reach Elasticsearch only through Kafka and
 * the indexing worker. Also: every event type indexed exactly once, Elasticsearch stopped during a
 * burst (nothing lost, nothing twice), and a document Elasticsearch rejects is parked, not dropped.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import { Client, HttpConnection } from "@elastic/elasticsearch";
import { Kafka } from "kafkajs";
import { api, befriend, register, uniqueName, WsClient } from "../support/client.ts";
import { engineUrl, haveEngines, scaleOutEnv } from "../support/engines.ts";
import { startServer, type TestServer } from "../support/server.ts";
import { describeIf } from "../support/skips.ts";
import { eventually, searchSuite } from "./suite.ts";

const ENGINES = ["redis", "kafka", "mongodb", "elasticsearch"] as const;
const skip = !haveEngines(...ENGINES);
const withEs = (extra: Record<string, string> = {}) => scaleOutEnv({ ELASTICSEARCH_URL: engineUrl("elasticsearch") ?? "", ...extra });

searchSuite("scale-out, indexed through Kafka", () => withEs(), skip);

const CTL = join(import.meta.dir, "..", "..", "scripts", "engines", "ctl.sh");
const ctl = async (action: string, engine: string) => {
  const p = Bun.spawn(["bash", CTL, action, engine], { stdout: "pipe", stderr: "pipe" });
  if ((await p.exited) !== 0) {
    throw new Error(`ctl ${action} ${engine} failed: ${await new Response(p.stdout).text()}${await new Response(p.stderr).text()}`);
  }
};

describeIf(!skip, "indexing pipeline (Kafka → Elasticsearch)", `needs ${ENGINES.join(", ")}`, () => {
  let server: TestServer;
  let env: Record<string, string>;
  let es: Client;
  const admin = uniqueName("adm");
  beforeAll(async () => {
    env = withEs({ ADMIN_USERNAMES: admin, SEND_RATE_PER_SEC: "100000", SEND_BURST: "100000", PARKED_RETRY_MS: "500" });
    server = await startServer({ env });
    es = new Client({ node: engineUrl("elasticsearch")!, Connection: HttpConnection });
  }, 60_000);
  afterAll(async () => {
    await server?.cleanup();
    await es?.close();
  }, 30_000);

  const count = async (index: string, query: object) => {
    await es.indices.refresh({ index }, { ignore: [404] });
    return (await es.count({ index, query }, { ignore: [404] })).count ?? 0;
  };

  test("every event type reaches the index exactly once", async () => {
    const adm = await api(server.url, "POST", "/api/auth/register", { body: { username: admin, password: "correct horse" } });
    const [a, b] = [await register(server.url, "ev"), await register(server.url, "ev")];
    const ids = [adm.body.user.id as string, a.id, b.id];
    await befriend(server.url, a, b);
    await api(server.url, "POST", `/api/dms/${b.id}`, { token: a.accessToken });
    const group = (await api(server.url, "POST", "/api/groups", { token: a.accessToken, body: { name: "g", members: [] } })).body.id as string;
    await api(server.url, "POST", `/api/groups/${encodeURIComponent(group)}/members`, { token: a.accessToken, body: { userId: b.id } });
    await api(server.url, "DELETE", `/api/groups/${encodeURIComponent(group)}/members/${b.id}`, { token: a.accessToken });
    await api(server.url, "POST", `/api/rooms/${encodeURIComponent(group)}/leave`, { token: a.accessToken });
    expect((await api(server.url, "POST", "/api/auth/login", { body: { username: a.username, password: "wrong password" } })).status).toBe(401);
    const login = await api(server.url, "POST", "/api/auth/login", { body: { username: b.username, password: b.password } });
    expect(login.status).toBe(200);
    const ws = await WsClient.connect(server.url, a);
    await ws.sendMessage("general", "hello");
    await ws.sendMessage("general", "/ai what is up");
    await ws.next("ai.end");
    ws.sendRaw("{nope");
    await ws.next("error");
    ws.close();
    await api(server.url, "POST", "/api/auth/logout", { token: a.accessToken, cookie: a.refreshCookie });
    const expected: Record<string, number> = {
      "user.signed_up": 3, "room.joined": 3, "friend.requested": 1, "friend.accepted": 1, "dm.opened": 1, "group.created": 1,
      "group.changed": 2, "room.left": 1, "user.login_failed": 1, "user.logged_in": 1, "socket.connected": 1, "socket.disconnected": 1,
      "message.sent": 3, "ai.asked": 1, "ai.answered": 1, "frame.rejected": 1, "user.logged_out": 1,
    };
    const activity = `${env.ES_INDEX_PREFIX}-activity`;
    const byType = async () => {
      await es.indices.refresh({ index: activity }, { ignore: [404] });
      const res = await es.search({ index: activity, size: 0, aggs: { t: { terms: { field: "type", size: 100 } } } }, { ignore: [404] });
      const buckets = ((res.aggregations?.t as { buckets?: { key: string; doc_count: number }[] } | undefined)?.buckets ?? []);
      return Object.fromEntries(buckets.map((x) => [x.key, x.doc_count]));
    };
    await eventually(byType, (got) => expect(got).toEqual(expected), 60_000);
    // Nobody outside this test wrote there, and no event carries anything but our users or the bot.
    const users = await es.search({ index: activity, size: 0, aggs: { u: { terms: { field: "user", size: 10 } } } });
    const seen = ((users.aggregations?.u as { buckets: { key: string }[] }).buckets).map((x) => x.key);
    expect(seen.every((u) => ids.includes(u) || u === "bot:ai")).toBe(true);
  }, 120_000);

  test("Elasticsearch stopped during a burst and restarted: every message and event indexed once", async () => {
    const [a, b] = [await register(server.url, "es"), await register(server.url, "es")];
    await befriend(server.url, a, b);
    const room = (await api(server.url, "POST", "/api/groups", { token: a.accessToken, body: { name: "burst", members: [b.id] } })).body.id as string;
    const ws = await WsClient.connect(server.url, a);
    const tag = uniqueName("burst").replace("_", "");
    const total = 300;
    let restarted: Promise<void> | null = null;
    try {
      for (let i = 0; i < total; i++) {
        await ws.sendMessage(room, `${tag} number ${i}`);
        if (i === 50) await ctl("stop", "elastic");
        if (i === 250) restarted = ctl("start", "elastic");
      }
    } finally {
      await (restarted ?? ctl("start", "elastic"));
    }
    ws.close();
    const messages = `${env.ES_INDEX_PREFIX}-messages`;
    const activity = `${env.ES_INDEX_PREFIX}-activity`;
    await eventually(() => count(messages, { term: { room } }), (n) => expect(n).toBe(total), 120_000);
    await eventually(() => count(activity, { bool: { filter: [{ term: { room } }, { term: { type: "message.sent" } }] } }), (n) => expect(n).toBe(total), 60_000);
    const found = await eventually(
      () => api(server.url, "GET", `/api/search?q=${tag}&room=${encodeURIComponent(room)}&limit=50`, { token: b.accessToken }),
      (r) => expect(r.body.hits).toHaveLength(50),
    );
    expect(new Set(found.body.hits.map((h: any) => h.message.id)).size).toBe(50);
  }, 900_000);

  test("a document Elasticsearch rejects is parked and reported, not dropped", async () => {
    process.env.KAFKAJS_NO_PARTITIONER_WARNING = "1";
    const kafka = new Kafka({ brokers: [engineUrl("kafka")!], clientId: "test-rejects" });
    const producer = kafka.producer();
    await producer.connect();
    const id = `bad-${Date.now()}`;
    // Valid for the protocol, too large for the mapping's integer field: Elasticsearch refuses it.
    const event = { id, type: "message.sent", time: Date.now(), user: "u", room: "r", instance: "test", details: { length: 2 ** 40 } };
    await producer.send({ topic: env.KAFKA_ACTIVITY_TOPIC!, messages: [{ key: "r", value: JSON.stringify(event) }] });
    await producer.disconnect();
    const parked = `${env.ES_INDEX_PREFIX}-parked`;
    const doc = await eventually(
      async () => {
        await es.indices.refresh({ index: parked });
        return es.get<{ id: string; status: number; doc: { details: { length: number } } }>({ index: parked, id: `${env.ES_INDEX_PREFIX}-activity:${id}` }, { ignore: [404] });
      },
      (d) => expect(d.found).toBe(true),
      60_000,
    );
    expect(doc._source?.status).toBe(400);
    expect(doc._source?.doc.details.length).toBe(2 ** 40);
    const health = await eventually(
      () => api(server.url, "GET", "/api/health"),
      (r) => expect(r.body.engines.find((e: any) => e.name === "indexer")?.parked).toBeGreaterThanOrEqual(1),
    );
    expect(health.body.engines.find((e: any) => e.name === "indexer")).toBeDefined();
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/^chat_index_parked [1-9]/m);
  }, 120_000);
});
