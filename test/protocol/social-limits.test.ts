/** Social spam limits: friend requests, groups, sockets per user, and a bounded `ready`. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { api, befriend, register, WsClient, type Account } from "../support/client.ts";
import { startServer, type TestServer } from "../support/server.ts";
import { CLOSE_CODES } from "../../src/protocol/index.ts";

let server: TestServer;
let rateServer: TestServer;
let url: string;
const sockets: WsClient[] = [];
const connect = async (a: Account, base = url) => {
  const ws = await WsClient.connect(base, a);
  sockets.push(ws);
  return ws;
};
const request = (from: Account, to: Account, base = url) =>
  api(base, "POST", "/api/friends/requests", { token: from.accessToken, body: { username: to.username } });
const createGroup = (owner: Account, members: Account[], base = url) =>
  api(base, "POST", "/api/groups", { token: owner.accessToken, body: { name: "g", members: members.map((m) => m.id) } });
/** Several users, each a friend of `hub` (each of them sends one request). */
async function friendsOf(hub: Account, n: number, base = url) {
  const out: Account[] = [];
  for (let i = 0; i < n; i++) {
    const u = await register(base, "fr");
    await befriend(base, u, hub);
    out.push(u);
  }
  return out;
}

beforeAll(async () => {
  [server, rateServer] = await Promise.all([
    startServer({
      env: {
        FRIEND_REQUESTS_PENDING_MAX: "3",
        FRIEND_REQUESTS_PER_HOUR: "6",
        GROUPS_CREATED_MAX: "2",
        GROUP_MEMBERS_MAX: "3",
        GROUPS_PER_USER_MAX: "2",
        WS_SOCKETS_PER_USER: "2",
        READY_ROOMS_MAX: "2",
      },
    }),
    startServer({ env: { GROUPS_CREATED_PER_HOUR: "2" } }),
  ]);
  url = server.url;
}, 60_000);
afterAll(async () => {
  for (const s of sockets) s.close();
  await Promise.all([server.cleanup(), rateServer.cleanup()]);
});

describe("friend request limits", () => {
  test("a second request to the same user is a conflict and notifies nobody again", async () => {
    const [a, b, c] = [await register(url, "ra"), await register(url, "rb"), await register(url, "rc")];
    const bws = await connect(b);
    expect((await request(a, b)).status).toBe(201);
    const dup = await request(a, b);
    expect(dup.status).toBe(409);
    expect(dup.body.error.code).toBe("conflict");
    // A later request from someone else is the marker: by then a duplicate notice would have arrived.
    expect((await request(c, b)).status).toBe(201);
    await bws.next("friend", (f) => f.op === "requested" && f.userId === c.id);
    expect(bws.drain("friend").filter((f) => f.userId === a.id)).toHaveLength(1);
  }, 60_000);

  test("pending outgoing requests are capped; cancelling one makes room", async () => {
    const a = await register(url, "pa");
    const others = [await register(url, "p1"), await register(url, "p2"), await register(url, "p3"), await register(url, "p4")];
    for (const o of others.slice(0, 3)) expect((await request(a, o)).status).toBe(201);
    const over = await request(a, others[3]!);
    expect(over.status).toBe(409);
    expect(over.body.error.message).toContain("pending");
    expect((await api(url, "DELETE", `/api/friends/requests/${others[0]!.id}`, { token: a.accessToken })).status).toBe(204);
    expect((await request(a, others[3]!)).status).toBe(201);
  }, 60_000);

  test("new requests per hour are budgeted: rate_limited past it, even when each was cancelled", async () => {
    const a = await register(url, "ha");
    const targets = await Promise.all(Array.from({ length: 7 }, () => register(url, "ht")));
    const statuses: number[] = [];
    for (const t of targets) {
      const r = await request(a, t);
      statuses.push(r.status);
      if (r.status === 201) await api(url, "DELETE", `/api/friends/requests/${t.id}`, { token: a.accessToken });
      else expect(r.body.error.code).toBe("rate_limited");
    }
    expect(statuses).toEqual([201, 201, 201, 201, 201, 201, 429]);
  }, 60_000);
});

describe("group limits", () => {
  test("groups created per user are capped, counting groups the creator left", async () => {
    const owner = await register(url, "gc");
    expect((await createGroup(owner, [])).status).toBe(201);
    const second = await createGroup(owner, []);
    expect(second.status).toBe(201);
    expect((await api(url, "POST", `/api/rooms/${second.body.id}/leave`, { token: owner.accessToken })).status).toBe(204);
    const third = await createGroup(owner, []);
    expect(third.status).toBe(409);
    expect(third.body.error.code).toBe("conflict");
  }, 60_000);

  test("groups created per hour are budgeted", async () => {
    const owner = await register(rateServer.url, "gr");
    expect((await createGroup(owner, [], rateServer.url)).status).toBe(201);
    expect((await createGroup(owner, [], rateServer.url)).status).toBe(201);
    const third = await createGroup(owner, [], rateServer.url);
    expect(third.status).toBe(429);
    expect(third.body.error.code).toBe("rate_limited");
  }, 60_000);

  test("a group has at most GROUP_MEMBERS_MAX members, at creation and when adding", async () => {
    const owner = await register(url, "gs");
    const [f1, f2, f3] = await friendsOf(owner, 3);
    const tooBig = await createGroup(owner, [f1!, f2!, f3!]);
    expect(tooBig.status).toBe(409);
    const g = await createGroup(owner, [f1!, f2!]);
    expect(g.status).toBe(201);
    const add = await api(url, "POST", `/api/groups/${g.body.id}/members`, { token: owner.accessToken, body: { userId: f3!.id } });
    expect(add.status).toBe(409);
    expect(add.body.error.message).toContain("full");
  }, 60_000);

  test("nobody can put a user into more than GROUPS_PER_USER_MAX groups", async () => {
    const victim = await register(url, "gv");
    const owners = await friendsOf(victim, 3);
    expect((await createGroup(owners[0]!, [victim])).status).toBe(201);
    expect((await createGroup(owners[1]!, [victim])).status).toBe(201);
    const third = await createGroup(owners[2]!, [victim]);
    expect(third.status).toBe(409);
    expect(third.body.error.message).toContain("too many groups");
    const empty = await createGroup(owners[2]!, []);
    const add = await api(url, "POST", `/api/groups/${empty.body.id}/members`, { token: owners[2]!.accessToken, body: { userId: victim.id } });
    expect(add.status).toBe(409);
    const rooms = (await api(url, "GET", "/api/conversations?limit=50", { token: victim.accessToken })).body.conversations;
    expect(rooms.filter((r: { kind: string }) => r.kind === "group")).toHaveLength(2);
  }, 60_000);
});

describe("sockets and the ready frame", () => {
  test("one socket over WS_SOCKETS_PER_USER is closed with 4429; closing another makes room", async () => {
    const a = await register(url, "sk");
    const first = await connect(a);
    await connect(a);
    const t = await api(url, "POST", "/api/auth/ws-ticket", { token: a.accessToken });
    const extra = new WebSocket(`${server.wsUrl}?ticket=${encodeURIComponent(t.body.ticket)}`);
    const frames: string[] = [];
    extra.onmessage = (e) => frames.push(String(e.data));
    const code = await new Promise<number>((resolve) => (extra.onclose = (e) => resolve(e.code)));
    expect(code).toBe(CLOSE_CODES.tooManySockets);
    expect(frames.some((f) => f.includes('"ready"'))).toBe(false);
    first.close();
    await first.waitClose();
    // The server sees the close a moment later: retry as a client would, with a fresh ticket.
    let again: WsClient | null = null;
    for (let i = 0; i < 20 && !again; i++) again = await connect(a).catch(() => null);
    expect(again).not.toBeNull();
  }, 60_000);

  test("ready carries the newest READY_ROOMS_MAX rooms; the rest page in order, and every room is live", async () => {
    const owner = await register(url, "rd");
    const [friend] = await friendsOf(owner, 1);
    const g1 = (await createGroup(owner, [friend!])).body.id as string;
    const g2 = (await createGroup(friend!, [owner])).body.id as string;
    const dm = (await api(url, "POST", `/api/dms/${friend!.id}`, { token: owner.accessToken })).body.id as string;
    const fws = await connect(friend!);
    await fws.sendMessage(g1, "g1 is the newest now");

    const ws = await connect(owner);
    const ready = ws.ready;
    expect(ready.rooms).toHaveLength(2);
    expect(ready.rooms[0]!.id).toBe(g1);
    expect(ready.roomsNext).toBeString();
    const rest = await ws.request({ type: "rooms", after: ready.roomsNext }, "rooms");
    expect(rest.next).toBeNull();
    const all = [...ready.rooms, ...rest.rooms].map((r) => r.id);
    expect(all.sort()).toEqual(["general", g1, g2, dm].sort());
    // A room that was not in `ready` still delivers live.
    const lastPageRoom = rest.rooms.at(-1)!.id;
    if (lastPageRoom !== "general") {
      await fws.sendMessage(lastPageRoom, "still live");
      expect((await ws.next("message", (m) => m.room === lastPageRoom)).body).toBe("still live");
    }

    const p1 = await api(url, "GET", "/api/conversations?limit=3", { token: owner.accessToken });
    expect(p1.body.conversations).toHaveLength(3);
    const p2 = await api(url, "GET", `/api/conversations?limit=3&after=${p1.body.next}`, { token: owner.accessToken });
    expect(p2.body.next).toBeNull();
    expect([...p1.body.conversations, ...p2.body.conversations].map((r: { id: string }) => r.id).sort()).toEqual(all.sort());

    const bad = await api(url, "GET", "/api/conversations?after=not-a-cursor", { token: owner.accessToken });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("bad_request");
    await expect(ws.request({ type: "rooms", after: "bm90IGpzb24" }, "rooms")).rejects.toThrow(/bad_request/);
  }, 60_000);
});
