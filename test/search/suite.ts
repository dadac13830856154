/**
 * Search and analytics over REST against a real server, run unchanged per mode (embedded SQLite,
 * Elasticsearch). Indexing may lag in scale-out, so positive checks poll; a negative check is only
 * made after a positive marker proved the document it must not see is indexed.
 */
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { api, befriend, register, uniqueName, WsClient, type Account } from "../support/client.ts";
import { startServer, type TestServer } from "../support/server.ts";
import { describeIf } from "../support/skips.ts";

setDefaultTimeout(90_000);

export type ServerEnv = () => Record<string, string>;

/** Polls until `check` passes (indexing is asynchronous in scale-out); rethrows the last failure. */
export async function eventually<T>(fn: () => Promise<T>, check: (v: T) => void, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    try {
      check(v);
      return v;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

const search = (s: TestServer, who: Account, query: string) => api(s.url, "GET", `/api/search?${query}`, { token: who.accessToken });
const bodies = (res: { body: any }) => (res.body.hits as { message: { body: string } }[]).map((h) => h.message.body);

async function groupOf(s: TestServer, owner: Account, members: Account[], name = "team") {
  for (const m of members) await befriend(s.url, owner, m);
  const res = await api(s.url, "POST", "/api/groups", { token: owner.accessToken, body: { name, members: members.map((m) => m.id) } });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

export function searchSuite(mode: string, env: ServerEnv, skip = false) {
  describeIf(!skip, `search over REST (${mode})`, "needs its engines", () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startServer({ env: env() });
    });
    afterAll(() => server.cleanup());

    test("finds partial words, identifiers and pieces of URLs, with highlights", async () => {
      const a = await register(server.url, "srch");
      const ws = await WsClient.connect(server.url, a);
      const tag = uniqueName("k").replace("_", "");
      await ws.sendMessage("general", `${tag} we relaunched the site`);
      await ws.sendMessage("general", `${tag} try qwen3.6 today`);
      await ws.sendMessage("general", `${tag} plan at https://example.com/plan?x=1`);
      ws.close();
      const launch = await eventually(() => search(server, a, `q=${tag}%20launch`), (r) => expect(bodies(r)).toEqual([`${tag} we relaunched the site`]));
      const body = launch.body.hits[0].message.body as string;
      const marked = (launch.body.hits[0].highlights as { start: number; end: number }[]).map((h) => body.slice(h.start, h.end));
      expect(marked).toEqual([tag, "launch"]);
      expect(bodies(await search(server, a, `q=${tag}%20QWEN3`))).toEqual([`${tag} try qwen3.6 today`]);
      expect(bodies(await search(server, a, `q=${tag}%20example.com/plan`))).toEqual([`${tag} plan at https://example.com/plan?x=1`]);
      expect(bodies(await search(server, a, `q=${tag}`))).toHaveLength(3);
      // A query for nothing returns nothing.
      expect((await search(server, a, `q=${tag}%20zebrafish`)).body).toEqual({ hits: [] });
    });

    test("an edited message is found by its new text only, a deleted one not at all", async () => {
      const a = await register(server.url, "chg");
      const ws = await WsClient.connect(server.url, a);
      const [before, after, gone] = ["o", "n", "g"].map((p) => uniqueName(p).replace("_", "")) as [string, string, string];
      const edited = await ws.sendMessage("general", `${before} before the edit`);
      const deleted = await ws.sendMessage("general", `${gone} soon deleted`);
      // Both indexed first, so what follows proves they were re-indexed and removed.
      await eventually(() => search(server, a, `q=${gone}`), (r) => expect(bodies(r)).toEqual([`${gone} soon deleted`]));
      await eventually(() => search(server, a, `q=${before}`), (r) => expect(bodies(r)).toEqual([`${before} before the edit`]));
      await ws.request({ type: "edit", room: "general", id: edited.id, body: `${after} after the edit`, clientId: crypto.randomUUID() }, "ack");
      await ws.request({ type: "delete", room: "general", id: deleted.id }, "ack");
      ws.close();
      await eventually(() => search(server, a, `q=${after}`), (r) => expect(bodies(r)).toEqual([`${after} after the edit`]));
      await eventually(() => search(server, a, `q=${gone}`), (r) => expect(r.body).toEqual({ hits: [] }));
      expect((await search(server, a, `q=${before}`)).body).toEqual({ hits: [] });
    });

    test("pages newest first with a cursor, and filters by room, sender and time", async () => {
      const a = await register(server.url, "page");
      const b = await register(server.url, "page");
      const group = await groupOf(server, a, [b]);
      const wa = await WsClient.connect(server.url, a);
      const wb = await WsClient.connect(server.url, b);
      const tag = uniqueName("p").replace("_", "");
      for (let i = 0; i < 5; i++) await wa.sendMessage("general", `${tag} general ${i}`);
      await wb.sendMessage(group, `${tag} group from b`);
      wa.close();
      wb.close();
      await eventually(() => search(server, a, `q=${tag}`), (r) => expect(r.body.hits).toHaveLength(6));
      const first = await search(server, a, `q=${tag}&limit=4`);
      expect(first.status).toBe(200);
      expect(bodies(first)).toEqual([`${tag} group from b`, `${tag} general 4`, `${tag} general 3`, `${tag} general 2`]);
      const second = await search(server, a, `q=${tag}&limit=4&cursor=${first.body.next}`);
      expect(bodies(second)).toEqual([`${tag} general 1`, `${tag} general 0`]);
      expect(second.body.next).toBeUndefined();
      expect(bodies(await search(server, a, `q=${tag}&room=${encodeURIComponent(group)}`))).toEqual([`${tag} group from b`]);
      expect(bodies(await search(server, a, `q=${tag}&from=${b.id}`))).toEqual([`${tag} group from b`]);
      // Sends may share a millisecond: the expected set is computed from the hits' own times.
      const all = [...first.body.hits, ...second.body.hits].map((h: any) => h.message as { body: string; createdAt: number });
      const [after, before] = [all[4]!.createdAt, all[1]!.createdAt];
      const windowed = await search(server, a, `q=${tag}&after=${after}&before=${before}`);
      expect(bodies(windowed)).toEqual(all.filter((m) => m.createdAt >= after && m.createdAt < before).map((m) => m.body));
      expect(bodies(windowed).length).toBeGreaterThan(0);
    });

    test("never returns messages of rooms the user is not (or no longer) a member of", async () => {
      const [a, b, c] = [await register(server.url, "iso"), await register(server.url, "iso"), await register(server.url, "iso")];
      const group = await groupOf(server, b, [a, c], "secret");
      const dm = (await api(server.url, "POST", `/api/dms/${c.id}`, { token: b.accessToken })).body.id as string;
      const tag = uniqueName("s").replace("_", "");
      const wb = await WsClient.connect(server.url, b);
      await wb.sendMessage(dm, `${tag} private between b and c`);
      await wb.sendMessage(group, `${tag} said in the group`);
      wb.close();
      // While a is in the group, a finds the group message (and proves it is indexed); never the DM.
      await eventually(() => search(server, a, `q=${tag}`), (r) => expect(bodies(r)).toEqual([`${tag} said in the group`]));
      await eventually(() => search(server, c, `q=${tag}`), (r) => expect(r.body.hits).toHaveLength(2));
      expect((await api(server.url, "DELETE", `/api/groups/${encodeURIComponent(group)}/members/${a.id}`, { token: b.accessToken })).status).toBe(204);
      expect((await search(server, a, `q=${tag}`)).body).toEqual({ hits: [] });
      const asked = await search(server, a, `q=${tag}&room=${encodeURIComponent(dm)}`);
      expect(asked.status).toBe(403);
      expect(asked.body.error.code).toBe("forbidden");
    });

    test("bad, empty and oversized queries get bad_request; page size is limited", async () => {
      const a = await register(server.url, "bad");
      for (const q of ["", "q=", "q=%20%20", "q=ab", `q=${"x".repeat(201)}`, "q=hello&limit=51", "q=hello&limit=0", "q=hello&cursor=nonsense",
        "q=hello&after=10&before=5", "q=hello&room=no%20spaces", "q=hello&after=-1"]) {
        const res = await search(server, a, q);
        expect({ q, status: res.status, code: res.body?.error?.code }).toEqual({ q, status: 400, code: "bad_request" });
      }
      expect((await api(server.url, "GET", "/api/search?q=hello")).status).toBe(401);
    });

    test("history opens a conversation around a message, over REST and WebSocket", async () => {
      const a = await register(server.url, "arnd");
      const b = await register(server.url, "arnd");
      const group = await groupOf(server, a, [b]);
      const ws = await WsClient.connect(server.url, a);
      const seqs: number[] = [];
      for (let i = 1; i <= 9; i++) seqs.push((await ws.sendMessage(group, `m${i}`)).seq);
      const res = await api(server.url, "GET", `/api/conversations/${encodeURIComponent(group)}/messages?around=${seqs[4]}&limit=4`, { token: a.accessToken });
      expect(res.status).toBe(200);
      expect(res.body.messages.map((m: any) => m.body)).toEqual(["m7", "m6", "m5", "m4"]);
      expect(res.body.nextBefore).toBe(seqs[3]);
      expect(res.body.nextAfter).toBe(seqs[6]);
      ws.send({ type: "history", ref: "h1", room: group, around: seqs[0], limit: 4 });
      const page = await ws.next("history", (f) => f.ref === "h1");
      expect(page.messages.map((m) => m.body)).toEqual(["m3", "m2", "m1"]);
      expect(page.hasMore).toBe(false);
      expect(page.hasNewer).toBe(true);
      const both = await api(server.url, "GET", `/api/conversations/${encodeURIComponent(group)}/messages?around=3&before=4`, { token: a.accessToken });
      expect(both.status).toBe(400);
      ws.close();
    });
  });

  describeIf(!skip, `analytics over REST (${mode})`, "needs its engines", () => {
    let server: TestServer;
    const admin = uniqueName("adm");
    beforeAll(async () => {
      server = await startServer({ env: { ...env(), ADMIN_USERNAMES: `someone_else,${admin}` } });
    });
    afterAll(() => server.cleanup());

    test("numbers equal what happened: 37 messages from 3 users in 2 rooms; non-admins are forbidden", async () => {
      const adminRes = await api(server.url, "POST", "/api/auth/register", { body: { username: admin, password: "correct horse" } });
      expect(adminRes.status).toBe(201);
      const [a, b, c] = [await register(server.url, "an"), await register(server.url, "an"), await register(server.url, "an")];
      const group = await groupOf(server, a, [b, c]);
      const [wa, wb, wc] = [await WsClient.connect(server.url, a), await WsClient.connect(server.url, b), await WsClient.connect(server.url, c)];
      for (let i = 0; i < 13; i++) await wa.sendMessage("general", `a${i}`);
      for (let i = 0; i < 12; i++) await wb.sendMessage(group, `b${i}`);
      for (let i = 0; i < 12; i++) await wc.sendMessage(i % 2 ? group : "general", `c${i}`);
      wb.sendRaw("{not json");
      await wb.next("error");
      const token = adminRes.body.accessToken as string;
      const report = await eventually(
        () => api(server.url, "GET", "/api/analytics?range=24h", { token }),
        (r) => {
          expect(r.status).toBe(200);
          expect(r.body.totals.messages).toBe(37);
          expect(r.body.rejectedFrames).toEqual([{ key: "bad_request", n: 1 }]);
        },
      );
      const { totals, series, topRooms, eventsByType } = report.body;
      expect(totals.activeUsers).toBe(3);
      expect(totals.dau).toBe(3);
      expect(totals.wau).toBe(3);
      expect(totals.signups).toBe(4);
      expect(totals.peakConnections).toBe(3);
      expect(topRooms).toEqual([{ room: "general", messages: 19 }, { room: group, messages: 18 }]);
      // The window's first and last hours are partial buckets: 25 of them unless now is on the hour.
      expect([24, 25]).toContain(series.messages.length);
      expect(series.messages.reduce((s: number, p: { n: number }) => s + p.n, 0)).toBe(37);
      const count = (type: string) => eventsByType.find((e: { key: string }) => e.key === type)?.n ?? 0;
      expect(count("message.sent")).toBe(37);
      expect(count("group.created")).toBe(1);
      expect(count("friend.requested")).toBe(2);
      expect(count("friend.accepted")).toBe(2);
      expect(count("socket.connected")).toBe(3);
      const week = await api(server.url, "GET", "/api/analytics?range=7d", { token });
      expect(week.body.series.messages.length).toBeGreaterThanOrEqual(7);
      expect(week.body.totals.messages).toBe(37);
      expect(week.body.bucket).toBe("day");
      const denied = await api(server.url, "GET", "/api/analytics?range=24h", { token: a.accessToken });
      expect(denied.status).toBe(403);
      expect(denied.body.error.code).toBe("forbidden");
      expect((await api(server.url, "GET", "/api/analytics?range=1y", { token })).status).toBe(400);
      // The client offers the dashboard only to those `/api/me` calls administrators.
      expect((await api(server.url, "GET", "/api/me", { token })).body.admin).toBe(true);
      expect((await api(server.url, "GET", "/api/me", { token: a.accessToken })).body.admin).toBe(false);
      for (const w of [wa, wb, wc]) w.close();
    });
  });
}
