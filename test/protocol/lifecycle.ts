/**
 * Message lifecycle cases of the protocol suite (issue 12): edits, deletions, reactions, replies
 * and mentions as ordered room events, live and after `resume`/`history`. Run by suite.ts in every
 * storage mode, on the suite's server.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { ChatMessage, ServerFrame } from "../../src/protocol/index.ts";
import { api, befriend, register, sleep, WsClient, type Account } from "../support/client.ts";
import { startServer, type TestServer } from "../support/server.ts";

export interface LifecycleContext {
  url: () => string;
  connect: (a: Account) => Promise<WsClient>;
  env: () => Record<string, string>;
}

/** A message without the frame's `type`, as a client stores it. */
const stored = ({ type: _t, ...m }: ServerFrame & { type: "message" }): ChatMessage => m;

/**
 * What a client holds for a room, built the way the protocol says: a state replaces the held one
 * when its rev (else seq) is newer. Also records which seqs arrived, to prove there is no gap.
 */
export class RoomState {
  readonly messages = new Map<string, ChatMessage>();
  readonly seen = new Set<number>();
  updatedFrames = 0;
  constructor(readonly room: string) {}

  put(m: ChatMessage) {
    const held = this.messages.get(m.id);
    if (!held || (m.rev ?? m.seq) >= (held.rev ?? held.seq)) this.messages.set(m.id, m);
  }

  /** Applies the live frames of this room the socket received so far. */
  take(c: WsClient) {
    for (const f of c.frames.splice(0)) {
      if (f.type === "message" && f.room === this.room) {
        this.seen.add(f.seq);
        this.put(stored(f));
      } else if (f.type === "updated" && f.room === this.room) {
        this.updatedFrames++;
        for (let s = f.fromSeq; s <= f.toSeq; s++) this.seen.add(s);
        f.messages.forEach((m) => this.put(m));
      }
    }
  }

  /** Waits until every seq up to `head` has arrived live. */
  async until(c: WsClient, head: number, timeoutMs = 15_000) {
    for (const deadline = Date.now() + timeoutMs; ; ) {
      this.take(c);
      if (this.seen.size >= head && Math.max(...this.seen) >= head) return;
      if (Date.now() > deadline) throw new Error(`live frames stopped at ${[...this.seen].sort((a, b) => a - b).join(",")} (want 1..${head})`);
      await sleep(20);
    }
  }

  sorted(): ChatMessage[] {
    return [...this.messages.values()].sort((a, b) => a.seq - b.seq);
  }
}

const errorOf = (p: Promise<unknown>) => p.then(() => "no error", (e: Error) => e.message.split(":")[0]);

export function lifecycleCases(ctx: LifecycleContext) {
  describe("message lifecycle", () => {
    /** A group of `n` friends of its creator (the first account), every one connected. */
    const group = async (n: number) => {
      const url = ctx.url();
      const users = await Promise.all(Array.from({ length: n }, () => register(url, "lc")));
      for (const u of users.slice(1)) await befriend(url, users[0]!, u);
      const room = (await api(url, "POST", "/api/groups", { token: users[0]!.accessToken, body: { name: "life", members: users.slice(1).map((u) => u.id) } })).body
        .id as string;
      const clients = await Promise.all(users.map(ctx.connect));
      return { users, clients, room };
    };
    const ack = (c: WsClient, frame: Record<string, unknown>) => c.request(frame, "ack");

    test("a client offline during an edit, a delete and three reactions resumes into the state of one that stayed online; history shows the same", async () => {
      const { users, clients, room } = await group(3);
      const [alice, bob, carol] = clients as [WsClient, WsClient, WsClient];
      const m1 = await alice.sendMessage(room, "first, with a tpyo");
      const m2 = await bob.sendMessage(room, "second, soon gone");
      const m3 = await alice.sendMessage(room, "third, to react to");
      const online = new RoomState(room);
      await online.until(bob, m3.seq);
      // Carol has everything up to m3, then goes away.
      const offline = new RoomState(room);
      await offline.until(carol, m3.seq);
      carol.close();

      const edit = await ack(alice, { type: "edit", room, id: m1.id, body: "first, with a typo fixed", clientId: crypto.randomUUID() });
      const del = await ack(bob, { type: "delete", room, id: m2.id });
      const r1 = await ack(alice, { type: "react", room, id: m3.id, emoji: "👍", on: true });
      const r2 = await ack(bob, { type: "react", room, id: m3.id, emoji: "👍", on: true });
      const r3 = await ack(bob, { type: "react", room, id: m3.id, emoji: "🎉", on: true });
      const m4 = await bob.sendMessage(room, "fourth, after the changes");
      const seqs = [edit, del, r1, r2, r3, m4].map((a) => a.seq);
      expect(seqs).toEqual([m3.seq + 1, m3.seq + 2, m3.seq + 3, m3.seq + 4, m3.seq + 5, m3.seq + 6]);
      expect([edit, del, r1, r2, r3].every((a) => !a.duplicate)).toBe(true);
      await online.until(bob, m4.seq);

      const state = online.sorted();
      expect(state.map((m) => m.id)).toEqual([m1.id, m2.id, m3.id, m4.id]);
      expect(state[0]).toMatchObject({ body: "first, with a typo fixed", rev: edit.seq });
      expect(state[0]!.editedAt).toBeNumber();
      expect(state[1]).toMatchObject({ body: "", deleted: true, rev: del.seq });
      expect(state[2]!.reactions).toEqual([
        { emoji: "👍", users: [users[0]!.id, users[1]!.id] },
        { emoji: "🎉", users: [users[1]!.id] },
      ]);

      const back = await ctx.connect(users[2]!);
      const resumed = await back.request({ type: "resume", room, afterSeq: m3.seq }, "resumed");
      expect(resumed.hasMore).toBe(false);
      expect(resumed.lastSeq).toBe(m4.seq);
      expect(resumed.messages.map((m) => m.id)).toEqual([m4.id]);
      expect(resumed.updates!.map((m) => m.id)).toEqual([m1.id, m2.id, m3.id]);
      for (const m of [...resumed.updates!, ...resumed.messages]) offline.put(m);
      expect(offline.sorted()).toEqual(state);

      const history = await back.request({ type: "history", room }, "history");
      expect(history.messages.toReversed()).toEqual(state);
      // Resuming from where the client now stands brings nothing more.
      const again = await back.request({ type: "resume", room, afterSeq: resumed.lastSeq }, "resumed");
      expect(again).toMatchObject({ messages: [], updates: [], lastSeq: m4.seq });
    }, 30_000);

    test("only the author edits; a retried edit is applied once; unknown, deleted and empty are refused", async () => {
      const { clients, room } = await group(2);
      const [alice, bob] = clients as [WsClient, WsClient];
      const m = await alice.sendMessage(room, "mine");
      expect(await errorOf(ack(bob, { type: "edit", room, id: m.id, body: "bob was here", clientId: "e1" }))).toBe("forbidden");
      const clientId = crypto.randomUUID();
      const first = await ack(alice, { type: "edit", room, id: m.id, body: "mine, edited", clientId });
      const retry = await ack(alice, { type: "edit", room, id: m.id, body: "mine, edited", clientId });
      expect(retry).toMatchObject({ id: m.id, seq: first.seq, duplicate: true });
      const history = await alice.request({ type: "history", room }, "history");
      expect(history.messages[0]).toMatchObject({ id: m.id, body: "mine, edited", rev: first.seq });
      expect(await errorOf(ack(alice, { type: "edit", room, id: "no-such-message", body: "x", clientId: "e2" }))).toBe("not_found");
      expect(await errorOf(ack(alice, { type: "edit", room, id: m.id, body: "", clientId: "e3" }))).toBe("bad_request");
      expect(await errorOf(ack(alice, { type: "edit", room, id: m.id, body: "   ", clientId: "e4" }))).toBe("bad_request");
      await ack(alice, { type: "delete", room, id: m.id });
      expect(await errorOf(ack(alice, { type: "edit", room, id: m.id, body: "back?", clientId: "e5" }))).toBe("not_found");
      // The next event after the refused ones takes the next seq: refusals took none.
      expect((await alice.sendMessage(room, "after")).seq).toBe(first.seq + 2);
    }, 30_000);

    test("deleting: the author, or the group's creator; the tombstone keeps its seq and loses body and reactions", async () => {
      const { clients, room } = await group(3);
      const [creator, bob, carol] = clients as [WsClient, WsClient, WsClient];
      const byBob = await bob.sendMessage(room, "bob's words");
      const byCarol = await carol.sendMessage(room, "carol's words");
      await ack(creator, { type: "react", room, id: byBob.id, emoji: ":tada:", on: true });
      expect(await errorOf(ack(carol, { type: "delete", room, id: byBob.id }))).toBe("forbidden");
      const own = await ack(carol, { type: "delete", room, id: byCarol.id });
      const moderated = await ack(creator, { type: "delete", room, id: byBob.id });
      expect([own.duplicate, moderated.duplicate]).toEqual([false, false]);
      expect(await ack(bob, { type: "delete", room, id: byBob.id })).toMatchObject({ seq: moderated.seq, duplicate: true });
      expect(await errorOf(ack(carol, { type: "react", room, id: byBob.id, emoji: "👍", on: true }))).toBe("not_found");
      const history = await carol.request({ type: "history", room }, "history");
      const tombstones = history.messages.filter((m) => m.id === byBob.id || m.id === byCarol.id);
      expect(tombstones.map((m) => [m.seq, m.body, m.deleted, m.reactions])).toEqual([
        [byCarol.seq, "", true, undefined],
        [byBob.seq, "", true, undefined],
      ]);
      // A DM has no moderator: only the author deletes there.
      const dmUsers = await Promise.all([register(ctx.url(), "dd"), register(ctx.url(), "dd")]);
      await befriend(ctx.url(), dmUsers[0]!, dmUsers[1]!);
      const dm = (await api(ctx.url(), "POST", `/api/dms/${dmUsers[1]!.id}`, { token: dmUsers[0]!.accessToken })).body.id as string;
      const [d0, d1] = await Promise.all(dmUsers.map(ctx.connect));
      const said = await d0!.sendMessage(dm, "in the DM");
      expect(await errorOf(ack(d1!, { type: "delete", room: dm, id: said.id }))).toBe("forbidden");
    }, 30_000);

    test("reactions toggle idempotently, are bounded per user, and need membership and a writable DM", async () => {
      const { users, clients, room } = await group(2);
      const [alice, bob] = clients as [WsClient, WsClient];
      const m = await alice.sendMessage(room, "react to me");
      const on = await ack(bob, { type: "react", room, id: m.id, emoji: "🔥", on: true });
      expect(await ack(bob, { type: "react", room, id: m.id, emoji: "🔥", on: true })).toMatchObject({ seq: on.seq, duplicate: true });
      const off = await ack(bob, { type: "react", room, id: m.id, emoji: "🔥", on: false });
      expect(off).toMatchObject({ seq: on.seq + 1, duplicate: false });
      expect(await ack(bob, { type: "react", room, id: m.id, emoji: "🔥", on: false })).toMatchObject({ seq: off.seq, duplicate: true });
      // At most 20 distinct emoji per user per message.
      for (let i = 0; i < 20; i++) await ack(bob, { type: "react", room, id: m.id, emoji: `:e${i}:`, on: true });
      expect(await errorOf(ack(bob, { type: "react", room, id: m.id, emoji: ":e20:", on: true }))).toBe("conflict");
      expect((await ack(alice, { type: "react", room, id: m.id, emoji: ":e20:", on: true })).duplicate).toBe(false);
      expect(await errorOf(ack(bob, { type: "react", room, id: m.id, emoji: "not an emoji", on: true }))).toBe("bad_request");
      // Not a member: refused, nothing stored.
      const stranger = await ctx.connect(await register(ctx.url(), "st"));
      expect(await errorOf(ack(stranger, { type: "react", room, id: m.id, emoji: "👍", on: true }))).toBe("forbidden");
      expect(await errorOf(ack(stranger, { type: "edit", room, id: m.id, body: "x", clientId: "s1" }))).toBe("forbidden");
      // A DM between users who are no longer friends is read-only for changes too.
      const url = ctx.url();
      const dm = (await api(url, "POST", `/api/dms/${users[1]!.id}`, { token: users[0]!.accessToken })).body.id as string;
      const said = await alice.sendMessage(dm, "while friends");
      expect((await api(url, "DELETE", `/api/friends/${users[1]!.id}`, { token: users[0]!.accessToken })).status).toBe(204);
      const [a2, b2] = await Promise.all(users.map(ctx.connect));
      expect(await errorOf(ack(b2!, { type: "react", room: dm, id: said.id, emoji: "👍", on: true }))).toBe("forbidden");
      expect(await errorOf(ack(a2!, { type: "edit", room: dm, id: said.id, body: "changed", clientId: "ro" }))).toBe("forbidden");
      expect(await errorOf(ack(a2!, { type: "delete", room: dm, id: said.id }))).toBe("forbidden");
    }, 30_000);

    test("a reaction storm (300 reactions from 30 users) reaches a watcher as far fewer frames, ending in the exact aggregate", async () => {
      const url = ctx.url();
      const users = await Promise.all(Array.from({ length: 30 }, () => register(url, "storm")));
      const clients = await Promise.all(users.map(ctx.connect));
      const room = "general";
      const target = await clients[0]!.sendMessage(room, "storm target");
      const watcher = await ctx.connect(await register(url, "watch"));
      const live = new RoomState(room);
      const emoji = ["👍", "❤️", "😂", "🎉", "🔥", "👀", "🙏", "✅", ":party_parrot:", ":+1:"];
      const acks = await Promise.all(clients.flatMap((c) => emoji.map((e) => ack(c, { type: "react", room, id: target.id, emoji: e, on: true }))));
      expect(acks.every((a) => !a.duplicate)).toBe(true);
      const changeSeqs = acks.map((a) => a.seq).sort((a, b) => a - b);
      expect(new Set(changeSeqs).size).toBe(300);
      // The watcher sees every change seq inside some updated frame's range, and the final state.
      for (const deadline = Date.now() + 20_000; ; ) {
        live.take(watcher);
        const state = live.messages.get(target.id);
        if (state?.reactions?.reduce((n, r) => n + r.users.length, 0) === 300) break;
        if (Date.now() > deadline) throw new Error(`watcher has ${JSON.stringify(state?.reactions?.length)} emoji`);
        await sleep(20);
      }
      for (const s of changeSeqs) expect(live.seen.has(s)).toBe(true);
      expect(live.updatedFrames).toBeGreaterThan(0);
      expect(live.updatedFrames).toBeLessThan(150);
      const final = live.messages.get(target.id)!;
      expect(final.reactions!.map((r) => r.emoji).sort()).toEqual([...emoji].sort());
      for (const r of final.reactions!) expect(r.users.toSorted()).toEqual(users.map((u) => u.id).sort());
      const history = await watcher.request({ type: "history", room, around: target.seq, limit: 1 }, "history");
      expect(history.messages[0]!.reactions).toEqual(final.reactions);
    }, 60_000);

    test("a reply carries the answered message's snippet, which follows its edit and deletion", async () => {
      const { clients, room, users } = await group(2);
      const [alice, bob] = clients as [WsClient, WsClient];
      const original = await alice.sendMessage(room, "the question, long enough to quote");
      const reply = await ack(bob, { type: "send", room, body: "the answer", clientId: crypto.randomUUID(), replyTo: original.id });
      const live = await alice.next("message", (m) => m.id === reply.id);
      expect(live.replyTo).toEqual({ id: original.id, seq: original.seq, from: users[0]!.id, fromName: users[0]!.username, snippet: "the question, long enough to quote" });
      const quoted = async () => (await bob.request({ type: "history", room }, "history")).messages.find((m) => m.id === reply.id)!.replyTo;
      await ack(alice, { type: "edit", room, id: original.id, body: "the question, rephrased", clientId: crypto.randomUUID() });
      expect((await quoted())?.snippet).toBe("the question, rephrased");
      await ack(alice, { type: "delete", room, id: original.id });
      expect(await quoted()).toEqual({ id: original.id, seq: original.seq, from: users[0]!.id, fromName: users[0]!.username, snippet: "", deleted: true });
      // The answered message must exist in the same room.
      const elsewhere = await alice.sendMessage("general", "in another room");
      expect(await errorOf(ack(bob, { type: "send", room, body: "x", clientId: crypto.randomUUID(), replyTo: elsewhere.id }))).toBe("not_found");
      expect(await errorOf(ack(bob, { type: "send", room, body: "x", clientId: crypto.randomUUID(), replyTo: "nope" }))).toBe("not_found");
      // A long body is quoted by its first 200 characters.
      const long = await alice.sendMessage(room, "y".repeat(300));
      const r2 = await ack(bob, { type: "send", room, body: "re", clientId: crypto.randomUUID(), replyTo: long.id });
      expect((await alice.next("message", (m) => m.id === r2.id)).replyTo!.snippet).toBe("y".repeat(200));
    }, 30_000);

    test("mentions of members are stored, recomputed on edit, and counted in the unread summary", async () => {
      const { clients, room, users } = await group(3);
      const [alice] = clients as [WsClient];
      const [, bob, carol] = users as [Account, Account, Account];
      const outsider = await register(ctx.url(), "out");
      const summary = async (who: Account) =>
        ((await api(ctx.url(), "GET", "/api/conversations", { token: who.accessToken })).body.conversations as { id: string; unread: number; mentions?: number; lastSeq: number }[]).find(
          (r) => r.id === room,
        )!;
      const m = await alice.sendMessage(room, `hey @${bob.username}, @${outsider.username} and @nobody_here_x: look`);
      expect((await alice.next("message", (f) => f.id === m.id)).mentions).toEqual([bob.id]);
      const m3 = await alice.sendMessage(room, "no mention here");
      expect(await summary(bob)).toMatchObject({ unread: 2, mentions: 1 });
      expect(await summary(carol)).toMatchObject({ unread: 2, mentions: 0 });
      const edit = await ack(alice, { type: "edit", room, id: m.id, body: `now for @${carol.username} only`, clientId: crypto.randomUUID() });
      expect(await summary(bob)).toMatchObject({ unread: 2, mentions: 0, lastSeq: edit.seq });
      expect(await summary(carol)).toMatchObject({ unread: 2, mentions: 1 });
      // Deleted messages are not unread any more.
      await ack(alice, { type: "delete", room, id: m.id });
      expect(await summary(carol)).toMatchObject({ unread: 1, mentions: 0 });
      // Looking mentions up does not let a socket's later plain message overtake it.
      const pipelined = await Promise.all([
        alice.sendMessage(room, `first, for @${bob.username}`),
        alice.sendMessage(room, "second, plain"),
        ack(alice, { type: "send", room, body: "third, a reply", clientId: crypto.randomUUID(), replyTo: m3.id }),
        alice.sendMessage(room, "fourth, plain"),
      ]);
      expect(pipelined.map((a) => a.seq)).toEqual([0, 1, 2, 3].map((i) => pipelined[0]!.seq + i));
    }, 30_000);

    describe("edit window", () => {
      let server: TestServer;
      beforeAll(async () => {
        server = await startServer({ env: { ...ctx.env(), EDIT_WINDOW_SEC: "1" } });
      }, 60_000);
      afterAll(() => server?.cleanup(), 60_000);

      test("editing after EDIT_WINDOW_SEC is a conflict with a clear message", async () => {
        const a = await register(server.url, "win");
        const c = await WsClient.connect(server.url, a);
        const m = await c.sendMessage("general", "quick, before the window closes");
        await sleep(1500);
        const reply = c.request({ type: "edit", room: "general", id: m.id, body: "too late", clientId: crypto.randomUUID() }, "ack");
        await expect(reply).rejects.toThrow(/^conflict: .*within 1 seconds/);
        c.close();
      });
    });
  });
}
