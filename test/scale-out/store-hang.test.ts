/**
 * A store that stops answering but keeps its socket open (FerretDB SIGSTOPped): requests get
 * `unavailable` within a bound, health turns red, and SIGTERM still stops the instance in time.
 * Before issue 13's fix every one of these waited forever.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { api, register, WsClient, type Account } from "../support/client.ts";
import { ctl, hang } from "../support/engine-ctl.ts";
import { describeWithEngines, scaleOutEnv } from "../support/engines.ts";
import { startServer, type TestServer } from "../support/server.ts";

const TIMEOUT_MS = 1500;
/** The port guard answers by twice the engine timeout; the rest is slack for a loaded machine. */
const BOUND_MS = 2 * TIMEOUT_MS + 4000;

describeWithEngines(["redis", "kafka", "mongodb"], "store hung", () => {
  let server: TestServer;
  let alice: Account;
  let socket: WsClient;
  let room: string;
  let resume: (() => void) | null = null;

  beforeAll(async () => {
    server = await startServer({ env: scaleOutEnv({ STORAGE_TIMEOUT_MS: String(TIMEOUT_MS), SHUTDOWN_TIMEOUT_MS: "5000" }) });
    alice = await register(server.url, "hang");
    socket = await WsClient.connect(server.url, alice);
    room = (await api(server.url, "POST", "/api/groups", { token: alice.accessToken, body: { name: "hang", members: [] } })).body.id;
    await socket.sendMessage(room, "before the hang");
  }, 60_000);

  afterAll(async () => {
    resume?.();
    socket?.close();
    if (process.env.DEBUG_HANG) console.log(server?.logs.slice(-30).join("\n"));
    await server?.cleanup();
    await ctl("start", "mongo");
  }, 30_000);

  const timed = async <T>(p: Promise<T>) => {
    const t0 = performance.now();
    const value = await p;
    return { value, ms: performance.now() - t0 };
  };

  test("requests answer unavailable in bounded time, health turns red, SIGTERM exits in time", async () => {
    // Taken before the hang: issuing a ticket checks the session in the store.
    const ticket = await api(server.url, "POST", "/api/auth/ws-ticket", { token: alice.accessToken });
    expect(ticket.status).toBe(200);
    resume = await hang("mongo");

    const reg = await timed(api(server.url, "POST", "/api/auth/register", { body: { username: `hung_${Date.now().toString(36)}`, password: "correct horse" } }));
    expect(reg.value.status).toBe(503);
    expect(reg.value.body.error.code).toBe("unavailable");
    expect(reg.ms).toBeLessThan(BOUND_MS);

    const history = await timed(api(server.url, "GET", `/api/conversations/${room}/messages?limit=10`, { token: alice.accessToken }));
    expect(history.value.status).toBe(503);
    expect(history.ms).toBeLessThan(BOUND_MS);

    // A read-cursor move has to reach the store (history may come from the Redis cache).
    const ref = socket.ref();
    socket.send({ type: "read", room, ref, seq: 1 });
    const err = await socket.next("error", (e) => e.ref === ref, BOUND_MS);
    expect(err.code).toBe("unavailable");
    // The socket still serves: sends go through Redis and Kafka, which are up.
    expect((await socket.sendMessage(room, "during the hang")).seq).toBe(2);

    const health = await timed(api(server.url, "GET", "/api/health"));
    expect(health.value.status).toBe(503);
    expect(health.ms).toBeLessThan(BOUND_MS);
    expect(health.value.body.engines.find((e: { name: string }) => e.name === "mongodb").ok).toBe(false);

    // A new socket cannot be set up (its session and room list are in the store): refused at the
    // upgrade (1006 on the client) or, past it, closed with 1013 "try again later" — never left hanging.
    const fresh = new WebSocket(`${server.url.replace(/^http/, "ws")}/ws?ticket=${ticket.body.ticket}`);
    const closed = await timed(new Promise<number>((resolve) => (fresh.onclose = (e) => resolve(e.code))));
    expect([1006, 1013]).toContain(closed.value);
    expect(closed.ms).toBeLessThan(BOUND_MS);

    const stop = await timed(server.stop("SIGTERM"));
    expect(stop.ms).toBeLessThan(10_000);
    expect(server.proc.exitCode).not.toBeNull();
  }, 90_000);
});
