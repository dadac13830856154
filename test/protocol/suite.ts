/**
 * The protocol test-suite: what a user of the chat relies on, over real HTTP and WebSockets.
 * Runs unchanged against every storage/engine combination (embedded here, scale-out in test/scale-out).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { api, befriend, refreshCookieOf, register, sleep, uniqueName, WsClient, type Account } from "../support/client.ts";
import { startServer, type TestServer } from "../support/server.ts";
import { lifecycleCases } from "./lifecycle.ts";

export function protocolSuite(label: string, env: () => Record<string, string>) {
  describe(`protocol (${label})`, () => {
    let server: TestServer;
    let url: string;
    const sockets: WsClient[] = [];
    const connect = async (a: Account) => {
      const c = await WsClient.connect(url, a);
      sockets.push(c);
      return c;
    };
    /** Two friends with a DM room open. */
    const pair = async () => {
      const alice = await register(url, "alice");
      const bob = await register(url, "bob");
      await befriend(url, alice, bob);
      const room = (await api(url, "POST", `/api/dms/${bob.id}`, { token: alice.accessToken })).body.id as string;
      return { alice, bob, room };
    };

    beforeAll(async () => {
      server = await startServer({ env: { SEND_RATE_PER_SEC: "1000", SEND_BURST: "1000", TYPING_TTL_MS: "1500", ...env() } });
      url = server.url;
    }, 60_000);
    afterAll(async () => {
      for (const s of sockets) s.close();
      await server.cleanup();
    }, 60_000);

    describe("accounts", () => {
      test("register, me, login; duplicate username and bad input are rejected", async () => {
        const a = await register(url, "acc");
        const me = await api(url, "GET", "/api/me", { token: a.accessToken });
        expect(me.body).toEqual({ id: a.id, username: a.username, admin: false });
        expect((await api(url, "POST", "/api/auth/register", { body: { username: a.username, password: "another pass" } })).status).toBe(409);
        const bad = await api(url, "POST", "/api/auth/register", { body: { username: "X!", password: "short" } });
        expect(bad.status).toBe(400);
        expect(bad.body.error.code).toBe("bad_request");
        const notJson = await api(url, "POST", "/api/auth/register", { body: "{nope", headers: { "content-type": "application/json" } });
        expect(notJson.status).toBe(400);
        const login = await api(url, "POST", "/api/auth/login", { body: { username: a.username, password: a.password } });
        expect(login.status).toBe(200);
        expect(login.body.user.id).toBe(a.id);
        const wrong = await api(url, "POST", "/api/auth/login", { body: { username: a.username, password: "wrong password" } });
        expect(wrong.status).toBe(401);
        expect(wrong.body.error.code).toBe("unauthorized");
      });

      test("the refresh cookie is httpOnly, SameSite=Strict and scoped to /api/auth", async () => {
        const res = await api(url, "POST", "/api/auth/register", { body: { username: uniqueName("ck"), password: "long enough" } });
        const cookie = res.headers.get("set-cookie") ?? "";
        expect(cookie).toContain("HttpOnly");
        expect(cookie).toContain("SameSite=Strict");
        expect(cookie).toContain("Path=/api/auth");
        expect(res.body.refreshToken).toBeUndefined();
      });

      test("refresh rotates; reusing a rotated token revokes the whole family", async () => {
        const a = await register(url, "rot");
        const r1 = await api(url, "POST", "/api/auth/refresh", { cookie: a.refreshCookie });
        expect(r1.status).toBe(200);
        const second = refreshCookieOf(r1.headers);
        expect(second).not.toBe(a.refreshCookie);
        // The old token again: theft detected, family revoked.
        const reuse = await api(url, "POST", "/api/auth/refresh", { cookie: a.refreshCookie });
        expect(reuse.status).toBe(401);
        // Even the newest token of the family is dead now, and so are its access tokens.
        expect((await api(url, "POST", "/api/auth/refresh", { cookie: second })).status).toBe(401);
        expect((await api(url, "GET", "/api/me", { token: r1.body.accessToken })).status).toBe(401);
      });

      test("access and refresh tokens are not interchangeable", async () => {
        const a = await register(url, "typ");
        const refreshJwt = a.refreshCookie.split("=")[1]!;
        expect((await api(url, "GET", "/api/me", { token: refreshJwt })).status).toBe(401);
        expect((await api(url, "POST", "/api/auth/refresh", { cookie: `refresh_token=${a.accessToken}` })).status).toBe(401);
        const tampered = a.accessToken.slice(0, -3) + (a.accessToken.endsWith("A") ? "BBB" : "AAA");
        expect((await api(url, "GET", "/api/me", { token: tampered })).status).toBe(401);
      });

      test("logout revokes the session and closes its sockets", async () => {
        const a = await register(url, "out");
        const ws = await connect(a);
        const res = await api(url, "POST", "/api/auth/logout", { token: a.accessToken, cookie: a.refreshCookie });
        expect(res.status).toBe(204);
        expect(await ws.waitClose()).toBe(4501);
        expect((await api(url, "POST", "/api/auth/refresh", { cookie: a.refreshCookie })).status).toBe(401);
        expect((await api(url, "GET", "/api/me", { token: a.accessToken })).status).toBe(401);
      });
    });

    describe("friends", () => {
      test("request, list, accept, then friends with presence; decline and unfriend", async () => {
        const a = await register(url, "fa");
        const b = await register(url, "fb");
        const c = await register(url, "fc");
        const found = await api(url, "GET", `/api/users?q=${b.username.slice(0, 6)}`, { token: a.accessToken });
        expect(found.body.users.map((u: { id: string }) => u.id)).toContain(b.id);

        const bws = await connect(b);
        expect((await api(url, "POST", "/api/friends/requests", { token: a.accessToken, body: { username: b.username } })).status).toBe(201);
        expect((await bws.next("friend", (f) => f.op === "requested")).userId).toBe(a.id);
        const dup = await api(url, "POST", "/api/friends/requests", { token: a.accessToken, body: { username: b.username } });
        expect(dup.status).toBe(409); // already pending: not sent (or notified) again
        expect(dup.body.error.code).toBe("conflict");
        const reqs = await api(url, "GET", "/api/friends/requests", { token: b.accessToken });
        expect(reqs.body.incoming.map((r: { id: string }) => r.id)).toEqual([a.id]);
        expect((await api(url, "POST", `/api/friends/requests/${a.id}/accept`, { token: b.accessToken })).status).toBe(204);
        const friends = await api(url, "GET", "/api/friends", { token: a.accessToken });
        expect(friends.body.friends).toEqual([{ id: b.id, username: b.username, online: true, lastSeen: null }]);

        // A cancelled request disappears for its receiver too, live.
        const aws = await connect(a);
        await api(url, "POST", "/api/friends/requests", { token: c.accessToken, body: { username: a.username } });
        await aws.next("friend", (f) => f.op === "requested" && f.userId === c.id);
        expect((await api(url, "DELETE", `/api/friends/requests/${a.id}`, { token: c.accessToken })).status).toBe(204);
        expect((await aws.next("friend", (f) => f.op === "cancelled")).userId).toBe(c.id);
        expect((await api(url, "GET", "/api/friends/requests", { token: a.accessToken })).body.incoming).toEqual([]);

        await api(url, "POST", "/api/friends/requests", { token: c.accessToken, body: { username: a.username } });
        expect((await api(url, "POST", `/api/friends/requests/${c.id}/decline`, { token: a.accessToken })).status).toBe(204);
        expect((await api(url, "POST", `/api/friends/requests/${c.id}/accept`, { token: a.accessToken })).status).toBe(404);
        expect((await api(url, "GET", "/api/friends", { token: c.accessToken })).body.friends).toEqual([]);

        expect((await api(url, "DELETE", `/api/friends/${b.id}`, { token: a.accessToken })).status).toBe(204);
        expect((await api(url, "GET", "/api/friends", { token: b.accessToken })).body.friends).toEqual([]);
        expect((await api(url, "POST", "/api/friends/requests", { token: a.accessToken, body: { username: "nobody_here_x" } })).status).toBe(404);
        expect((await api(url, "POST", "/api/friends/requests", { token: a.accessToken, body: { username: a.username } })).status).toBe(400);
      });
    });

    describe("conversations", () => {
      test("DM ids are deterministic and DMs need friendship", async () => {
        const { alice, bob, room } = await pair();
        const fromBob = await api(url, "POST", `/api/dms/${alice.id}`, { token: bob.accessToken });
        expect(fromBob.body.id).toBe(room);
        expect(room).toBe(`dm:${[alice.id, bob.id].sort().join(":")}`);
        const stranger = await register(url, "str");
        const denied = await api(url, "POST", `/api/dms/${alice.id}`, { token: stranger.accessToken });
        expect(denied.status).toBe(403);
        expect(denied.body.error.code).toBe("forbidden");
        const ws = await connect(stranger);
        const err = ws.request({ type: "dm.open", userId: alice.id }, "dm.opened");
        await expect(err).rejects.toThrow("forbidden");
      });

      test("a DM between two users is delivered live, listed with unread counts, and paged newest-first", async () => {
        const { alice, bob, room } = await pair();
        const a = await connect(alice);
        const b = await connect(bob);
        for (let i = 1; i <= 7; i++) await a.sendMessage(room, `m${i}`);
        const got = await b.next("message", (m) => m.room === room && m.seq === 7);
        expect(got.body).toBe("m7");
        expect(got.fromName).toBe(alice.username);

        const conv = await api(url, "GET", "/api/conversations", { token: bob.accessToken });
        const dm = conv.body.conversations.find((c: { id: string }) => c.id === room);
        expect(dm).toMatchObject({ kind: "dm", name: alice.username, lastSeq: 7, unread: 7, peer: { id: alice.id } });
        expect(dm.lastMessage.body).toBe("m7");
        const mine = (await api(url, "GET", "/api/conversations", { token: alice.accessToken })).body.conversations.find(
          (c: { id: string }) => c.id === room,
        );
        expect(mine.unread).toBe(0);

        const p1 = await api(url, "GET", `/api/conversations/${encodeURIComponent(room)}/messages?limit=3`, { token: bob.accessToken });
        expect(p1.body.messages.map((m: { seq: number }) => m.seq)).toEqual([7, 6, 5]);
        const p2 = await api(url, "GET", `/api/conversations/${encodeURIComponent(room)}/messages?limit=3&before=${p1.body.nextBefore}`, {
          token: bob.accessToken,
        });
        expect(p2.body.messages.map((m: { seq: number }) => m.seq)).toEqual([4, 3, 2]);
        const p3 = await api(url, "GET", `/api/conversations/${encodeURIComponent(room)}/messages?limit=3&before=${p2.body.nextBefore}`, {
          token: bob.accessToken,
        });
        expect(p3.body.messages.map((m: { seq: number }) => m.seq)).toEqual([1]);
        expect(p3.body.nextBefore).toBeNull();
        expect((await api(url, "GET", `/api/conversations/${encodeURIComponent(room)}/messages?limit=1000`, { token: bob.accessToken })).status).toBe(400);

        const h = await b.request({ type: "history", room, before: 3, limit: 5 }, "history");
        expect(h.messages.map((m) => m.seq)).toEqual([2, 1]);
        expect(h.hasMore).toBe(false);
      });

      test("read receipts reach the room and clear unread", async () => {
        const { alice, bob, room } = await pair();
        const a = await connect(alice);
        const b = await connect(bob);
        await a.sendMessage(room, "one");
        await a.sendMessage(room, "two");
        b.send({ type: "read", room, seq: 2 });
        const receipt = await a.next("read", (r) => r.room === room && r.userId === bob.id);
        expect(receipt.seq).toBe(2);
        b.send({ type: "read", room, seq: 1 }); // never moves back
        expect((await a.next("read", (r) => r.room === room && r.userId === bob.id)).seq).toBe(2);
        const dm = (await api(url, "GET", "/api/conversations", { token: bob.accessToken })).body.conversations.find(
          (c: { id: string }) => c.id === room,
        );
        expect(dm.unread).toBe(0);
        // After a reload a client learns who read how far from the stored cursors.
        const reads = await api(url, "GET", `/api/conversations/${encodeURIComponent(room)}/reads`, { token: alice.accessToken });
        expect(reads.body.reads).toContainEqual({ userId: bob.id, username: bob.username, seq: 2 });
        const stranger = await register(url, "rd");
        expect((await api(url, "GET", `/api/conversations/${encodeURIComponent(room)}/reads`, { token: stranger.accessToken })).status).toBe(403);
      });

      test("a read beyond the room's last seq is clamped to it", async () => {
        const { alice, bob, room } = await pair();
        const a = await connect(alice);
        const b = await connect(bob);
        await a.sendMessage(room, "only one");
        b.send({ type: "read", room, seq: 1_000_000_000 });
        expect((await a.next("read", (r) => r.room === room && r.userId === bob.id)).seq).toBe(1);
        const dm = (await api(url, "GET", "/api/conversations", { token: bob.accessToken })).body.conversations.find(
          (c: { id: string }) => c.id === room,
        );
        expect(dm.lastReadSeq).toBe(1);
        // The next message is unread: the cursor did not run ahead of it.
        await a.sendMessage(room, "another");
        const after = (await api(url, "GET", "/api/conversations", { token: bob.accessToken })).body.conversations.find(
          (c: { id: string }) => c.id === room,
        );
        expect(after.unread).toBe(1);
      });

      test("unfriending makes the DM read-only for both; re-friending re-opens it", async () => {
        const { alice, bob, room } = await pair();
        const a = await connect(alice);
        const b = await connect(bob);
        await a.sendMessage(room, "while friends");
        await b.sendMessage(room, "reply while friends"); // both sockets have posted (and cached that they may)
        expect((await api(url, "DELETE", `/api/friends/${bob.id}`, { token: alice.accessToken })).status).toBe(204);
        await b.next("friend", (f) => f.op === "removed" && f.userId === alice.id);

        for (const [ws, who] of [[b, "bob"], [a, "alice"]] as const) {
          await expect(ws.sendMessage(room, `from ${who} after unfriend`)).rejects.toThrow(/forbidden/);
          const ref = ws.ref();
          ws.send({ type: "typing", ref, room, on: true });
          expect((await ws.next("error", (e) => e.ref === ref)).code).toBe("forbidden");
        }
        // History stays readable for both, and lists as read-only.
        const page = await b.request({ type: "history", room }, "history");
        expect(page.messages.map((m) => m.body)).toEqual(["reply while friends", "while friends"]);
        const listed = (await api(url, "GET", "/api/conversations", { token: alice.accessToken })).body.conversations.find(
          (c: { id: string }) => c.id === room,
        );
        expect(listed.readOnly).toBe(true);
        // A fresh socket is refused as well (nothing cached there).
        const b2 = await connect(bob);
        await expect(b2.sendMessage(room, "new socket")).rejects.toThrow(/forbidden/);
        expect((await api(url, "GET", `/api/conversations/${encodeURIComponent(room)}/messages`, { token: alice.accessToken })).body.messages).toHaveLength(2);

        await befriend(url, bob, alice);
        expect((await b.sendMessage(room, "friends again")).seq).toBe(3);
        expect((await a.next("message", (m) => m.room === room && m.seq === 3)).body).toBe("friends again");
        const reopened = (await api(url, "GET", "/api/conversations", { token: alice.accessToken })).body.conversations.find(
          (c: { id: string }) => c.id === room,
        );
        expect(reopened.readOnly).toBeUndefined();
      });

      test("groups: creator adds and removes friends, members leave, outsiders are refused", async () => {
        const owner = await register(url, "own");
        const m1 = await register(url, "gm");
        const outsider = await register(url, "gx");
        await befriend(url, owner, m1);
        const m1ws = await connect(m1);
        const created = await api(url, "POST", "/api/groups", { token: owner.accessToken, body: { name: "Team", members: [m1.id] } });
        expect(created.status).toBe(201);
        const room = created.body.id as string;
        expect((await m1ws.next("room.added", (r) => r.room.id === room)).room.name).toBe("Team");
        // The new member's live socket receives the room without reconnecting.
        const ownerWs = await connect(owner);
        await ownerWs.sendMessage(room, "welcome");
        expect((await m1ws.next("message", (m) => m.room === room)).body).toBe("welcome");

        const notFriend = await api(url, "POST", `/api/groups/${room}/members`, { token: owner.accessToken, body: { userId: outsider.id } });
        expect(notFriend.status).toBe(403);
        const byMember = await api(url, "POST", `/api/groups/${room}/members`, { token: m1.accessToken, body: { userId: owner.id } });
        expect(byMember.status).toBe(403);

        const out = await connect(outsider);
        await expect(out.sendMessage(room, "let me in")).rejects.toThrow("forbidden");
        await expect(out.request({ type: "join", room }, "joined")).rejects.toThrow("forbidden");
        await expect(out.request({ type: "history", room }, "history")).rejects.toThrow("forbidden");
        await expect(out.request({ type: "resume", room, afterSeq: 0 }, "resumed")).rejects.toThrow("forbidden");
        expect((await api(url, "GET", `/api/conversations/${room}/messages`, { token: outsider.accessToken })).status).toBe(403);

        expect((await api(url, "DELETE", `/api/groups/${room}/members/${m1.id}`, { token: owner.accessToken })).status).toBe(204);
        expect((await m1ws.next("room.removed", (r) => r.room === room)).room).toBe(room);
        await expect(m1ws.sendMessage(room, "still here?")).rejects.toThrow("forbidden");
        await ownerWs.sendMessage(room, "after removal");
        // A later message to a room m1 is still in is the marker: delivery happens before the ack,
        // in order, so anything of `room` for m1 would have come before it.
        const marker = `marker ${room}`;
        await ownerWs.sendMessage("general", marker);
        await m1ws.next("message", (m) => m.body === marker);
        expect(m1ws.drain("message").filter((m) => m.room === room)).toEqual([]);

        // Nothing the outsiders or the removed member tried was stored.
        const stored = await api(url, "GET", `/api/conversations/${room}/messages`, { token: owner.accessToken });
        expect(stored.body.messages.map((m: { body: string }) => m.body)).toEqual(["after removal", "welcome"]);
        expect((await api(url, "POST", `/api/rooms/${room}/leave`, { token: owner.accessToken })).status).toBe(204);
        expect((await api(url, "GET", `/api/conversations/${room}/messages`, { token: owner.accessToken })).status).toBe(403);
      });

      test("groups: members are listed with presence; the creator renames, a blank name is refused", async () => {
        const owner = await register(url, "ren");
        const m1 = await register(url, "rem");
        const outsider = await register(url, "rex");
        await befriend(url, owner, m1);
        const m1ws = await connect(m1);
        const room = (await api(url, "POST", "/api/groups", { token: owner.accessToken, body: { name: "Team", members: [m1.id] } })).body.id as string;
        await m1ws.next("room.added", (r) => r.room.id === room);

        const listed = await api(url, "GET", `/api/groups/${room}/members`, { token: m1.accessToken });
        expect(listed.status).toBe(200);
        const byName = new Map(listed.body.members.map((m: { username: string; online: boolean }) => [m.username, m.online]));
        expect(byName).toEqual(new Map([[owner.username, false], [m1.username, true]]));
        expect((await api(url, "GET", `/api/groups/${room}/members`, { token: outsider.accessToken })).status).toBe(403);

        const renamed = await api(url, "PATCH", `/api/groups/${room}`, { token: owner.accessToken, body: { name: "  Core team " } });
        expect(renamed.status).toBe(204);
        expect(await m1ws.next("room.renamed", (r) => r.room === room)).toMatchObject({ name: "Core team" });
        const convs = await api(url, "GET", "/api/conversations", { token: m1.accessToken });
        expect(convs.body.conversations.find((c: { id: string }) => c.id === room).name).toBe("Core team");

        const blank = await api(url, "PATCH", `/api/groups/${room}`, { token: owner.accessToken, body: { name: "   " } });
        expect(blank.status).toBe(400);
        expect(blank.body.error.code).toBe("bad_request");
        expect((await api(url, "PATCH", `/api/groups/${room}`, { token: m1.accessToken, body: { name: "Mine" } })).status).toBe(403);
        expect((await api(url, "PATCH", "/api/groups/g:nope", { token: owner.accessToken, body: { name: "X" } })).status).toBe(404);
      });

      test("the public room: everyone is a member; leaving and re-joining is announced", async () => {
        const a = await register(url, "pub");
        const b = await register(url, "pub");
        const ws = await connect(a);
        const watcher = await connect(b);
        expect((await ws.sendMessage("general", "hi all")).seq).toBeGreaterThan(0);
        expect((await api(url, "POST", "/api/rooms/general/leave", { token: a.accessToken })).status).toBe(204);
        expect((await watcher.next("member", (m) => m.userId === a.id)).op).toBe("left");
        await expect(ws.sendMessage("general", "gone")).rejects.toThrow("forbidden");
        const joined = await ws.request({ type: "join", room: "general" }, "joined");
        expect(joined.room.kind).toBe("public");
        expect((await watcher.next("member", (m) => m.userId === a.id)).op).toBe("joined");
        expect((await ws.sendMessage("general", "back")).seq).toBeGreaterThan(0);
      });
    });

    describe("realtime semantics", () => {
      test("per-room seq is strictly increasing with no gaps under concurrent senders", async () => {
        const owner = await register(url, "seq");
        const others = await Promise.all([register(url, "sq"), register(url, "sq")]);
        for (const o of others) await befriend(url, owner, o);
        const room = (await api(url, "POST", "/api/groups", { token: owner.accessToken, body: { name: "seq", members: others.map((o) => o.id) } })).body.id;
        const clients = await Promise.all([owner, ...others].map(connect));
        const watcher = clients[0]!;
        const acks = await Promise.all(clients.flatMap((c, i) => Array.from({ length: 30 }, (_, j) => c.sendMessage(room, `c${i}-${j}`))));
        const seqs = acks.map((a) => a.seq).sort((x, y) => x - y);
        expect(seqs).toEqual(Array.from({ length: 90 }, (_, i) => i + 1));
        await watcher.next("message", (m) => m.room === room && m.seq === 90);
        const delivered = watcher.drain("message").filter((m) => m.room === room).map((m) => m.seq);
        expect(new Set(delivered).size).toBe(delivered.length);
      });

      test("a clientId reused in another room is a new message there", async () => {
        const { alice, room } = await pair();
        const a = await connect(alice);
        const clientId = crypto.randomUUID();
        const inDm = await a.sendMessage(room, "in the DM", clientId);
        const inGeneral = await a.sendMessage("general", "in general", clientId);
        expect(inGeneral.duplicate).toBe(false);
        expect(inGeneral.id).not.toBe(inDm.id);
        expect(inGeneral.room).toBe("general");
        const general = await api(url, "GET", "/api/conversations/general/messages?limit=20", { token: alice.accessToken });
        expect(general.body.messages.find((m: { id: string }) => m.id === inGeneral.id)?.body).toBe("in general");
        expect((await a.sendMessage(room, "retry", clientId))).toMatchObject({ id: inDm.id, seq: inDm.seq, duplicate: true });
      });

      test("resending the same clientId stores and delivers once, acked with the original id and seq", async () => {
        const { alice, bob, room } = await pair();
        const a = await connect(alice);
        const b = await connect(bob);
        const clientId = crypto.randomUUID();
        const [first, second] = await Promise.all([a.sendMessage(room, "once", clientId), a.sendMessage(room, "once", clientId)]);
        const third = await a.sendMessage(room, "once", clientId);
        expect(second.id).toBe(first.id);
        expect(third.id).toBe(first.id);
        expect(third.seq).toBe(first.seq);
        expect([first.duplicate, second.duplicate].sort()).toEqual([false, true]);
        expect(third.duplicate).toBe(true);
        await a.sendMessage(room, "marker");
        await b.next("message", (m) => m.body === "marker");
        expect(b.drain("message").filter((m) => m.body === "once")).toHaveLength(1);
        const page = await api(url, "GET", `/api/conversations/${encodeURIComponent(room)}/messages`, { token: bob.accessToken });
        expect(page.body.messages.map((m: { body: string }) => m.body)).toEqual(["marker", "once"]);
      });

      test("resume after a dropped connection replays exactly what was missed", async () => {
        const { alice, bob, room } = await pair();
        const a = await connect(alice);
        let b = await connect(bob);
        await a.sendMessage(room, "before-1");
        await a.sendMessage(room, "before-2");
        const lastSeen = (await b.next("message", (m) => m.body === "before-2")).seq;
        b.close();
        await b.waitClose();
        for (let i = 1; i <= 5; i++) await a.sendMessage(room, `missed-${i}`);
        b = await connect(bob);
        const r = await b.request({ type: "resume", room, afterSeq: lastSeen }, "resumed");
        expect(r.messages.map((m) => m.body)).toEqual(["missed-1", "missed-2", "missed-3", "missed-4", "missed-5"]);
        expect(r.messages.map((m) => m.seq)).toEqual([3, 4, 5, 6, 7]);
        expect(r.lastSeq).toBe(7);
        expect(r.hasMore).toBe(false);
        const paged = await b.request({ type: "resume", room, afterSeq: lastSeen, limit: 2 }, "resumed");
        expect(paged.messages.map((m) => m.seq)).toEqual([3, 4]);
        expect(paged.hasMore).toBe(true);
        await a.sendMessage(room, "live");
        expect((await b.next("message", (m) => m.room === room)).seq).toBe(8);
      });

      test("typing reaches the other side and expires by itself", async () => {
        const { alice, bob, room } = await pair();
        const a = await connect(alice);
        const b = await connect(bob);
        a.send({ type: "typing", room, on: true });
        const on = await b.next("typing", (t) => t.room === room && t.userId === alice.id);
        expect(on).toMatchObject({ on: true, username: alice.username });
        const started = Date.now();
        const off = await b.next("typing", (t) => t.room === room && t.userId === alice.id, 10_000);
        expect(off.on).toBe(false);
        expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
      });

      test("presence counts sockets: two tabs are one user, offline with lastSeen after the last closes", async () => {
        const { alice, bob } = await pair();
        const b = await connect(bob);
        const tab1 = await connect(alice);
        expect((await b.next("presence", (p) => p.userId === alice.id)).status).toBe("online");
        const tab2 = await connect(alice);
        tab1.close();
        const friends = await api(url, "GET", "/api/friends", { token: bob.accessToken });
        expect(friends.body.friends[0].online).toBe(true);
        const before = Date.now();
        tab2.close();
        // The first presence of alice after "online" must be this offline, not one from tab1...
        const offline = await b.next("presence", (p) => p.userId === alice.id);
        expect(offline.status).toBe("offline");
        expect(offline.lastSeen).toBeGreaterThanOrEqual(before - 1000);
        const after = await api(url, "GET", "/api/friends", { token: bob.accessToken });
        expect(after.body.friends[0]).toMatchObject({ online: false, lastSeen: offline.lastSeen });
        // ...and the next is her coming back (the marker), with nothing in between.
        const tab3 = await connect(alice);
        expect((await b.next("presence", (p) => p.userId === alice.id)).status).toBe("online");
        tab3.close();
      });
    });

    lifecycleCases({ url: () => url, connect, env });

    describe("bad input", () => {
      test("unauthenticated or replayed tickets get 401 and no socket", async () => {
        const none = await fetch(`${url}/ws`, { headers: { upgrade: "websocket", connection: "upgrade" } });
        expect(none.status).toBe(401);
        const a = await register(url, "tk");
        const t = await api(url, "POST", "/api/auth/ws-ticket", { token: a.accessToken });
        const first = new WebSocket(`${server.wsUrl}?ticket=${t.body.ticket}`);
        await new Promise((r) => (first.onopen = r));
        const replay = new WebSocket(`${server.wsUrl}?ticket=${t.body.ticket}`);
        const code = await new Promise<number>((r) => {
          replay.onclose = (e) => r(e.code);
        });
        expect(code).not.toBe(1000);
        expect(replay.readyState).toBe(WebSocket.CLOSED);
        first.close();
        expect((await api(url, "POST", "/api/auth/ws-ticket", {})).status).toBe(401);
      });

      test("a foreign Origin is refused", async () => {
        const a = await register(url, "or");
        const t = await api(url, "POST", "/api/auth/ws-ticket", { token: a.accessToken });
        const res = await fetch(`${url}/ws?ticket=${t.body.ticket}`, {
          headers: { upgrade: "websocket", connection: "upgrade", origin: "https://evil.example" },
        });
        expect(res.status).toBe(403);
      });

      test("malformed and unknown frames get bad_request and the socket stays open", async () => {
        const a = await register(url, "bad");
        const ws = await connect(a);
        ws.sendRaw("not json");
        expect((await ws.next("error")).code).toBe("bad_request");
        ws.send({ type: "teleport", ref: "x1" });
        const unknown = await ws.next("error", (e) => e.ref === "x1");
        expect(unknown.code).toBe("bad_request");
        ws.send({ type: "send", ref: "x2", room: "general", body: "", clientId: "c" });
        expect((await ws.next("error", (e) => e.ref === "x2")).code).toBe("bad_request");
        ws.send({ type: "send", ref: "x3", room: "general", body: "x".repeat(4001), clientId: "c" });
        expect((await ws.next("error", (e) => e.ref === "x3")).code).toBe("bad_request");
        ws.send({ type: "history", ref: "x4", room: "general", limit: 10_000 });
        expect((await ws.next("error", (e) => e.ref === "x4")).code).toBe("bad_request");
        const pong = await ws.request({ type: "ping" }, "pong");
        expect(pong.ts).toBeGreaterThan(0);
        expect(ws.closeCode).toBeNull();
      });

      test("message bodies are stored and delivered as plain text", async () => {
        const { alice, bob, room } = await pair();
        const a = await connect(alice);
        const b = await connect(bob);
        const body = `<script>alert(1)</script><img src=x onerror="alert(2)"> & "quotes"`;
        await a.sendMessage(room, body);
        expect((await b.next("message", (m) => m.room === room)).body).toBe(body);
      });

      test("frames over the size limit close the socket with 1009", async () => {
        const a = await register(url, "big");
        const ws = await connect(a);
        ws.sendRaw(JSON.stringify({ type: "send", room: "general", body: "x".repeat(20_000), clientId: "big" }));
        expect(await ws.waitClose()).toBe(1009);
      });

      test("tokens, passwords and message bodies never reach the logs", async () => {
        const { alice, room } = await pair();
        const a = await connect(alice);
        await a.sendMessage(room, "secret-body-marker-42");
        await api(url, "POST", "/api/auth/login", { body: { username: alice.username, password: "wrong-password-marker" } });
        // Marker: a refused upgrade is logged after everything above; once its line is in, they are too.
        const refused = () => server.logs.filter((l) => l.includes("upgrade refused")).length;
        const seen = refused();
        const probe = new WebSocket(`${server.wsUrl}?ticket=log-marker`);
        probe.onerror = () => {};
        for (const deadline = Date.now() + 10_000; refused() === seen && Date.now() < deadline; ) await sleep(20);
        expect(refused()).toBeGreaterThan(seen);
        const all = server.logs.join("\n");
        expect(all).not.toContain("secret-body-marker-42");
        expect(all).not.toContain("wrong-password-marker");
        expect(all).not.toContain(alice.password);
        expect(all).not.toContain(alice.accessToken.split(".")[2]!);
        expect(server.logs.every((l) => l.startsWith("{") && JSON.parse(l).level)).toBe(true);
      });
    });
  });
}
