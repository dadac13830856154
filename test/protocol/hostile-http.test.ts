/**
 * Hostile HTTP at the edge: malformed Host and Origin, hostile static paths, what the logs and the
 * public endpoints give away. Raw sockets where fetch would normalise the request.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { api, register, WsClient } from "../support/client.ts";
import { rawRequest } from "../support/raw-http.ts";
import { startServer, type TestServer } from "../support/server.ts";

const METRICS_TOKEN = "metrics-token-for-tests-0123456789";
let server: TestServer;
let proxied: TestServer;
let site: string;
let host: string;

beforeAll(async () => {
  // A built client beside a sibling folder whose name starts like it: containment must tell them apart.
  site = mkdtempSync(join(tmpdir(), "chat-site-"));
  mkdirSync(join(site, "dist", "assets"), { recursive: true });
  mkdirSync(join(site, "dist-private"));
  writeFileSync(join(site, "dist", "index.html"), '<!doctype html><title>t</title><script type="module" src="/assets/app.js"></script>');
  writeFileSync(join(site, "dist", "assets", "app.js"), "console.log('app')");
  writeFileSync(join(site, "dist", "favicon.svg"), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  writeFileSync(join(site, "dist-private", "secret.txt"), "private-sibling-content");
  [server, proxied] = await Promise.all([
    startServer({ env: { SERVE_CLIENT: "true", CLIENT_DIR: join(site, "dist") } }),
    // Behind a proxy: X-Forwarded-For says who asks, so requests can come from a remote address.
    startServer({ env: { TRUST_PROXY: "true", METRICS_TOKEN, ADMIN_USERNAMES: "Boss_Admin" } }),
  ]);
  host = `127.0.0.1:${server.port}`;
});
afterAll(async () => {
  await Promise.all([server.cleanup(), proxied.cleanup()]);
  rmSync(site, { recursive: true, force: true });
});

const get = (path: string, extra: string[] = [], method = "GET") => rawRequest(server.port, [`${method} ${path} HTTP/1.1`, `Host: ${host}`, ...extra]);
const expectJsonError = (r: { status: number; headers: Record<string, string>; body: string }, status: number, code: string) => {
  expect(r.status).toBe(status);
  expect(r.headers["content-type"]).toContain("application/json");
  expect(JSON.parse(r.body).error.code).toBe(code);
};

describe("Host header", () => {
  for (const bad of ["a b", "", "127.0.0.1:99999", "exa mple.com:80", "[::1"]) {
    test(`Host ${JSON.stringify(bad)} is a 400 bad_request, not a 500 page`, async () => {
      const r = await rawRequest(server.port, ["GET /api/health HTTP/1.1", `Host: ${bad}`]);
      expectJsonError(r, 400, "bad_request");
    });
  }

  test("a bad Host on /ws is a 400 too", async () => {
    const r = await rawRequest(server.port, ["GET /ws?ticket=x HTTP/1.1", "Host: a b", "Upgrade: websocket"]);
    expectJsonError(r, 400, "bad_request");
  });
});

describe("Origin on /ws", () => {
  const upgrade = async (origin: string, ticket: string) =>
    rawRequest(server.port, [
      `GET /ws?ticket=${ticket} HTTP/1.1`,
      `Host: ${host}`,
      `Origin: ${origin}`,
      "Upgrade: websocket",
      "Connection: Upgrade",
      "Sec-WebSocket-Version: 13",
      `Sec-WebSocket-Key: ${Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64")}`,
    ]);

  for (const origin of ["null", "not a url", "https://evil.example", "https://HOST"]) {
    test(`Origin ${origin} is refused with 403 and the ticket is burnt`, async () => {
      const a = await register(server.url, "org");
      const t = await api(server.url, "POST", "/api/auth/ws-ticket", { token: a.accessToken });
      // An https page is not the same origin as this plain-http server, even on the same host.
      const r = await upgrade(origin.replace("HOST", host), t.body.ticket);
      expectJsonError(r, 403, "forbidden");
      const again = await upgrade(`http://${host}`, t.body.ticket);
      expectJsonError(again, 401, "unauthorized");
    });
  }

  test("X-Forwarded-Proto is not believed without TRUST_PROXY", async () => {
    const a = await register(server.url, "xfp");
    const t = await api(server.url, "POST", "/api/auth/ws-ticket", { token: a.accessToken });
    const r = await rawRequest(server.port, [
      `GET /ws?ticket=${t.body.ticket} HTTP/1.1`,
      `Host: ${host}`,
      `Origin: https://${host}`,
      "X-Forwarded-Proto: https",
      "Upgrade: websocket",
    ]);
    expectJsonError(r, 403, "forbidden");
  });

  test("the server's own http origin is accepted", async () => {
    const a = await register(server.url, "own");
    const ws = await WsClient.connect(server.url, a, { headers: { Origin: `http://${host}` } });
    expect(ws.closeCode).toBeNull();
    ws.close();
  });

  test("behind a trusted proxy that says https, the https origin is ours", async () => {
    const a = await register(proxied.url, "prx");
    const ws = await WsClient.connect(proxied.url, a, {
      headers: { Origin: `https://127.0.0.1:${proxied.port}`, "X-Forwarded-Proto": "https" },
    });
    expect(ws.closeCode).toBeNull();
    ws.close();
  });
});

describe("static files", () => {
  for (const path of ["/%", "/%E0%A4%A", "/assets/%ff.js", "/%c0%af", "/a%00b.js", "/assets/%00"]) {
    test(`${path} is a clean 400`, async () => {
      expectJsonError(await get(path), 400, "bad_request");
    });
  }

  for (const path of ["/assets/..%2f..%2fdist-private/secret.txt", "/..%2fdist-private/secret.txt", "/assets/%2e%2e/%2e%2e/dist-private/secret.txt"]) {
    test(`${path} does not leave the client folder`, async () => {
      const r = await get(path);
      expect(r.body).not.toContain("private-sibling-content");
      expect([400, 404]).toContain(r.status);
    });
  }

  test("GET / and HEAD / serve the app with a CSP that forbids inline scripts", async () => {
    const page = await get("/");
    expect(page.status).toBe(200);
    expect(page.body).toContain("/assets/app.js");
    const csp = page.headers["content-security-policy"] ?? "";
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    const head = await get("/", [], "HEAD");
    expect(head.status).toBe(200);
    expect(head.headers["content-type"]).toContain("text/html");
    expect(head.body).toBe("");
  });

  test("hashed assets are served and cached; /favicon.ico is the client's SVG icon", async () => {
    const js = await get("/assets/app.js");
    expect(js.status).toBe(200);
    expect(js.headers["cache-control"]).toContain("immutable");
    const icon = await get("/favicon.ico");
    expect(icon.status).toBe(200);
    expect(icon.headers["content-type"]).toContain("image/svg+xml");
  });

  test("without a built client, /favicon.ico is a clean 404", async () => {
    const r = await rawRequest(proxied.port, ["GET /favicon.ico HTTP/1.1", `Host: 127.0.0.1:${proxied.port}`]);
    expectJsonError(r, 404, "not_found");
  });
});

describe("API routes and headers", () => {
  test("an unknown /api path is a 404 not_found, with or without a token", async () => {
    const a = await register(server.url, "nf");
    for (const token of [undefined, a.accessToken]) {
      const r = await api(server.url, "GET", "/api/no-such-thing", { token });
      expect(r.status).toBe(404);
      expect(r.body.error.code).toBe("not_found");
    }
    const known = await api(server.url, "GET", "/api/friends");
    expect(known.status).toBe(401);
  });

  test("responses carrying tokens or tickets are no-store; plain http gets no HSTS", async () => {
    const a = await register(server.url, "ns");
    const login = await api(server.url, "POST", "/api/auth/login", { body: { username: a.username, password: a.password } });
    expect(login.headers.get("cache-control")).toBe("no-store");
    const ticket = await api(server.url, "POST", "/api/auth/ws-ticket", { token: a.accessToken });
    expect(ticket.status).toBe(200);
    expect(ticket.headers.get("cache-control")).toBe("no-store");
    expect(ticket.headers.get("strict-transport-security")).toBeNull();
  });

  test("HSTS is sent when a trusted proxy says the request came over https", async () => {
    const r = await api(proxied.url, "GET", "/api/health", { headers: { "X-Forwarded-Proto": "https" } });
    expect(r.headers.get("strict-transport-security")).toContain("max-age=");
  });
});

describe("health and metrics", () => {
  const remote = { "X-Forwarded-For": "203.0.113.9" };

  test("a remote stranger sees only the status of /api/health", async () => {
    const r = await api(proxied.url, "GET", "/api/health", { headers: remote });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ status: "ok" });
  });

  test("a local request sees engine details", async () => {
    const r = await api(proxied.url, "GET", "/api/health");
    expect(r.body.engines).toContainEqual(expect.objectContaining({ name: "sqlite", ok: true }));
    expect(r.body.instance).toBeString();
  });

  test("from a remote address, an admin session or the metrics token sees details; another user does not", async () => {
    const admin = await api(proxied.url, "POST", "/api/auth/register", { body: { username: "boss_admin", password: "admin password" } });
    expect(admin.status).toBe(201);
    const user = await register(proxied.url, "plain");
    const details = async (token: string) => (await api(proxied.url, "GET", "/api/health", { token, headers: remote })).body;
    expect(await details(user.accessToken)).toEqual({ status: "ok" });
    expect(await details("not-a-token")).toEqual({ status: "ok" });
    expect((await details(METRICS_TOKEN)).engines).toBeArray();
    expect((await details(admin.body.accessToken)).engines).toBeArray();
  });

  test("/metrics needs the bearer token when METRICS_TOKEN is set, and is open otherwise", async () => {
    const anon = await api(proxied.url, "GET", "/metrics");
    expect(anon.status).toBe(401);
    expect(anon.body.error.code).toBe("unauthorized");
    const wrong = await api(proxied.url, "GET", "/metrics", { token: "x".repeat(METRICS_TOKEN.length) });
    expect(wrong.status).toBe(401);
    const ok = await api(proxied.url, "GET", "/metrics", { token: METRICS_TOKEN });
    expect(ok.status).toBe(200);
    expect(ok.body).toContain("chat_open_sockets");
    expect((await api(server.url, "GET", "/metrics")).status).toBe(200);
  });
});

describe("logs", () => {
  test("every line is JSON and no ticket or token appears, also for refused upgrades", async () => {
    const a = await register(server.url, "lg");
    const t = await api(server.url, "POST", "/api/auth/ws-ticket", { token: a.accessToken });
    await rawRequest(server.port, [`GET /ws?ticket=${t.body.ticket} HTTP/1.1`, `Host: ${host}`, "Origin: null", "Upgrade: websocket"]);
    await rawRequest(server.port, [`GET /ws?ticket=forged-${t.body.ticket} HTTP/1.1`, `Host: ${host}`, "Upgrade: websocket"]);
    await rawRequest(server.port, ["GET /ws?ticket=abc HTTP/1.1", "Host: a b"]);
    // The refusals are logged: wait for the second one to be sure the lines were written.
    const deadline = Date.now() + 10_000;
    while (server.logs.filter((l) => l.includes("upgrade refused")).length < 2 && Date.now() < deadline) await Bun.sleep(20);
    expect(server.logs.filter((l) => l.includes("upgrade refused")).length).toBeGreaterThanOrEqual(2);
    for (const line of server.logs) {
      expect(() => JSON.parse(line)).not.toThrow();
      expect(line).not.toContain(t.body.ticket);
      expect(line).not.toContain(a.accessToken);
    }
  });
});
