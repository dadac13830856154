/**
 * Brute-force brakes that cannot be turned against a victim (OWASP): attempts count per (account,
 * address) and per address, never per account alone. Run with the in-memory limiter (embedded) and
 * with the shared Redis limiter (scale-out). Addresses come from X-Forwarded-For (TRUST_PROXY).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { api, uniqueName } from "../support/client.ts";
import { describeWithEngines, engineUrl } from "../support/engines.ts";
import { startServer, type TestServer } from "../support/server.ts";

/** A fresh documentation-range address per call, so runs against a shared Redis never meet. */
let next = Math.floor(Math.random() * 60_000);
const address = () => `2001:db8::${(next++ % 65_535).toString(16)}`;

const PASSWORD = "the right password";

function throttleSuite(label: string, env: () => Record<string, string>) {
  describe(`login and registration throttling (${label})`, () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startServer({ env: { TRUST_PROXY: "true", REGISTER_MAX_PER_ADDRESS: "3", ...env() } });
    }, 60_000);
    afterAll(() => server.cleanup());

    const from = (ip: string) => ({ "X-Forwarded-For": ip });
    const registerFrom = async (ip: string) => {
      const username = uniqueName("thr");
      const r = await api(server.url, "POST", "/api/auth/register", { body: { username, password: PASSWORD }, headers: from(ip) });
      expect(r.status).toBe(201);
      return username;
    };
    const login = (ip: string, username: string, password: string) =>
      api(server.url, "POST", "/api/auth/login", { body: { username, password }, headers: from(ip) });

    test("a stranger's wrong passwords slow the stranger down but never lock the owner out", async () => {
      const owner = address();
      const attacker = address();
      const victim = await registerFrom(owner);
      for (let i = 0; i < 10; i++) expect((await login(attacker, victim, `guess ${i}`)).status).toBe(401);
      const throttled = await login(attacker, victim, "guess 10");
      expect(throttled.status).toBe(429);
      expect(throttled.body.error.code).toBe("too_many_attempts");
      expect(Number(throttled.headers.get("retry-after"))).toBeGreaterThan(0);
      // Even the right password is held back from that address (the attacker cannot test guesses)...
      expect((await login(attacker, victim, PASSWORD)).status).toBe(429);
      // ...while the owner, from their own address, logs in.
      expect((await login(owner, victim, PASSWORD)).status).toBe(200);
    }, 60_000);

    test("50 attempts from one address do not lock out other users at other addresses", async () => {
      const sprayer = address();
      const others = await Promise.all([registerFrom(address()), registerFrom(address())]);
      // A few guesses at a real user, the rest sprayed over names, 55 in all (in parallel batches).
      const statuses: number[] = [];
      for (let batch = 0; batch < 5; batch++) {
        const attempts = Array.from({ length: 11 }, (_, i) => (batch === 0 && i < 5 ? others[0]! : uniqueName("nobody")));
        statuses.push(...(await Promise.all(attempts.map(async (name) => (await login(sprayer, name, "spray")).status))));
      }
      // The per-address budget (50 per window, a little refill while this runs) ends the spray...
      const wrong = statuses.filter((s) => s === 401).length;
      expect(wrong).toBeGreaterThanOrEqual(50);
      expect(statuses.filter((s) => s === 429).length).toBe(55 - wrong);
      expect(wrong).toBeLessThan(55);
      // ...and nobody elsewhere notices.
      for (const user of others) expect((await login(address(), user, PASSWORD)).status).toBe(200);
    }, 180_000);

    test("registrations per address are limited with rate_limited and Retry-After", async () => {
      const busy = address();
      for (let i = 0; i < 3; i++) await registerFrom(busy);
      const r = await api(server.url, "POST", "/api/auth/register", { body: { username: uniqueName("thr"), password: PASSWORD }, headers: from(busy) });
      expect(r.status).toBe(429);
      expect(r.body.error.code).toBe("rate_limited");
      expect(Number(r.headers.get("retry-after"))).toBeGreaterThan(0);
      await registerFrom(address()); // another address is not affected
    }, 60_000);
  });
}

throttleSuite("memory", () => ({}));

describeWithEngines(["redis"], "with Redis", () => {
  throttleSuite("redis", () => ({ REDIS_URL: engineUrl("redis")!, JWT_SECRET: "test-secret-test-secret-test-secret-123" }));
});
