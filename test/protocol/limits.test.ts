/** Abuse limits that need their own server configuration. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { api, register, sleep, WsClient } from "../support/client.ts";
import { startServer, type TestServer } from "../support/server.ts";

let server: TestServer;
beforeAll(async () => {
  server = await startServer({
    env: {
      SEND_RATE_PER_SEC: "2",
      SEND_BURST: "5",
      LOGIN_MAX_ATTEMPTS: "3",
      WS_IDLE_TIMEOUT_SEC: "5",
    },
  });
});
afterAll(() => server.cleanup());

describe("limits", () => {
  test("sending faster than the per-user bucket gets rate_limited; nothing over the limit is stored", async () => {
    const a = await register(server.url, "rl");
    const ws = await WsClient.connect(server.url, a);
    const results = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => ws.sendMessage("general", `burst ${i}`)));
    const ok = results.filter((r) => r.status === "fulfilled").length;
    const limited = results.filter((r) => r.status === "rejected" && String(r.reason).includes("rate_limited")).length;
    expect(ok).toBe(5);
    expect(limited).toBe(5);
    const page = await api(server.url, "GET", "/api/conversations/general/messages?limit=50", { token: a.accessToken });
    expect(page.body.messages.filter((m: { from: string }) => m.from === a.id)).toHaveLength(5);
    await sleep(1100); // the bucket refills
    expect((await ws.sendMessage("general", "later")).seq).toBeGreaterThan(0);
    ws.close();
  });

  test("login is locked after repeated failures, even with the right password", async () => {
    const a = await register(server.url, "bf");
    for (let i = 0; i < 3; i++) {
      const r = await api(server.url, "POST", "/api/auth/login", { body: { username: a.username, password: "wrong guess" } });
      expect(r.status).toBe(401);
    }
    const locked = await api(server.url, "POST", "/api/auth/login", { body: { username: a.username, password: a.password } });
    expect(locked.status).toBe(429);
    expect(locked.body.error.code).toBe("too_many_attempts");
  });

  test("a client that stops answering pings is timed out", async () => {
    const a = await register(server.url, "idle");
    const t = await api(server.url, "POST", "/api/auth/ws-ticket", { token: a.accessToken });
    // A raw TCP client that upgrades and then never reads or answers anything.
    const key = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64");
    let closed = false;
    const started = Date.now();
    const socket = await Bun.connect({
      hostname: "127.0.0.1",
      port: server.port,
      socket: { data() {}, close() { closed = true; } },
    });
    socket.write(
      `GET /ws?ticket=${t.body.ticket} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
    while (!closed && Date.now() - started < 30_000) await sleep(100);
    expect(closed).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(4000);
  }, 40_000);
});
