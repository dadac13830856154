import { describe, expect, test } from "bun:test";
import type { ChangeDraft, MessageChange, MessageChangeLog, MessageChangeReader, MessageLog, MessageReader } from "../../src/ports/index.ts";
import { LIMITS } from "../../src/protocol/index.ts";
import { uid, useFixture, type MakeFixture } from "./fixture.ts";
import { draft } from "./message-reader.ts";

export interface MessageChangesFixture {
  log: MessageLog;
  reader: MessageReader;
  changes: MessageChangeLog;
  changeReader: MessageChangeReader;
}

/** The MessageChangeLog / MessageChangeReader contract; messages are written through the same backend's log. */
export function messageChangesContract(name: string, make: MakeFixture<MessageChangesFixture>) {
  describe(`MessageChangeLog + MessageChangeReader contract (${name})`, () => {
    const f = useFixture(make);
    const change = (room: string, messageId: string, by: string, c: MessageChange, extra: Partial<ChangeDraft> = {}) =>
      f().changes.change({ room, messageId, by, at: Date.now(), change: c, ...extra });
    const applied = async (p: ReturnType<typeof change>) => {
      const r = await p;
      if (r.status !== "applied") throw new Error(`expected applied, got ${r.status}`);
      return r;
    };

    test("a change takes the room's next seq, shared with new messages; the new state carries it as rev", async () => {
      const { log, reader, changeReader } = f();
      const room = uid("chg-");
      const m1 = (await log.append(draft(room, "alice", { body: "first" }))).message;
      await log.append(draft(room, "bob"));
      const at = Date.now();
      const edit = await applied(change(room, m1.id, "alice", { kind: "edit", body: "first, edited", mentions: ["bob"] }, { at, clientId: "e1" }));
      expect(edit.seq).toBe(3);
      expect(edit.message).toEqual({ ...m1, body: "first, edited", mentions: ["bob"], editedAt: at, rev: 3 });
      expect((await log.append(draft(room, "bob"))).message.seq).toBe(4);
      expect(await changeReader.byId(room, m1.id)).toEqual(edit.message);
      expect((await reader.after(room, 0, 10))[0]).toEqual(edit.message);
      // Another room's id is not found in this one.
      expect(await changeReader.byId(uid("other-"), m1.id)).toBeNull();
      expect((await change(uid("other-"), m1.id, "alice", { kind: "delete" })).status).toBe("not_found");
      expect((await change(room, "no-such-id", "alice", { kind: "react", emoji: "👍" })).status).toBe("not_found");
    });

    test("an edit retried with its clientId is a no-op that takes no seq", async () => {
      const { log } = f();
      const room = uid("edit-");
      const m = (await log.append(draft(room, "alice"))).message;
      const first = await applied(change(room, m.id, "alice", { kind: "edit", body: "v2", mentions: [] }, { clientId: "same" }));
      const retry = await change(room, m.id, "alice", { kind: "edit", body: "v2", mentions: [] }, { clientId: "same" });
      expect(retry).toEqual({ status: "noop", message: first.message });
      expect(first.message.mentions).toBeUndefined();
      const second = await applied(change(room, m.id, "alice", { kind: "edit", body: "v3", mentions: [] }, { clientId: "other" }));
      expect(second.seq).toBe(first.seq + 1);
    });

    test("reactions toggle idempotently, aggregate first reactor first, and are bounded per user", async () => {
      const { log, changeReader } = f();
      const room = uid("react-");
      const m = (await log.append(draft(room, "alice"))).message;
      await applied(change(room, m.id, "u1", { kind: "react", emoji: "👍" }));
      const again = await change(room, m.id, "u1", { kind: "react", emoji: "👍" });
      expect(again.status).toBe("noop");
      await applied(change(room, m.id, "u2", { kind: "react", emoji: "👍" }));
      await applied(change(room, m.id, "u2", { kind: "react", emoji: "🎉" }));
      const last = await applied(change(room, m.id, "u1", { kind: "react", emoji: "🎉" }));
      expect(last.seq).toBe(5);
      expect(last.message.reactions).toEqual([
        { emoji: "👍", users: ["u1", "u2"] },
        { emoji: "🎉", users: ["u2", "u1"] },
      ]);
      expect((await change(room, m.id, "u3", { kind: "unreact", emoji: "👍" })).status).toBe("noop");
      const removed = await applied(change(room, m.id, "u1", { kind: "unreact", emoji: "👍" }));
      expect(removed.message.reactions).toEqual([
        { emoji: "👍", users: ["u2"] },
        { emoji: "🎉", users: ["u2", "u1"] },
      ]);
      await applied(change(room, m.id, "u2", { kind: "unreact", emoji: "👍" }));
      expect((await changeReader.byId(room, m.id))!.reactions).toEqual([{ emoji: "🎉", users: ["u2", "u1"] }]);
      for (let i = 0; i < LIMITS.reactionsPerUser; i++) await applied(change(room, m.id, "u4", { kind: "react", emoji: `:r${i}:` }));
      expect(await change(room, m.id, "u4", { kind: "react", emoji: ":one_more:" })).toEqual({ status: "limit" });
      // Re-adding one already there is still a no-op, not a limit.
      expect((await change(room, m.id, "u4", { kind: "react", emoji: ":r0:" })).status).toBe("noop");
    });

    test("a deletion erases body, mentions, attachments, reply and reactions; the tombstone keeps its seq", async () => {
      const { log, reader, changeReader } = f();
      const room = uid("del-");
      const q = (await log.append(draft(room, "alice", { body: "question" }))).message;
      const attachment = { id: uid("f-"), name: "a.png", size: 3, type: "image/png" };
      const m = (await log.append(draft(room, "bob", { body: "secret @alice", mentions: ["alice"], replyTo: q.id, attachments: [attachment] }))).message;
      expect(m.attachments).toEqual([attachment]);
      await applied(change(room, m.id, "alice", { kind: "react", emoji: "👍" }));
      const del = await applied(change(room, m.id, "bob", { kind: "delete" }));
      const tombstone = { id: m.id, room, seq: m.seq, from: m.from, fromName: m.fromName, body: "", createdAt: m.createdAt, clientId: m.clientId, deleted: true, rev: del.seq };
      expect(del.message).toEqual(tombstone);
      expect(await changeReader.byId(room, m.id)).toEqual(tombstone);
      expect((await reader.before(room, undefined, 1))[0]).toEqual(tombstone);
      expect(await change(room, m.id, "bob", { kind: "delete" })).toEqual({ status: "noop", message: tombstone });
      expect((await change(room, m.id, "bob", { kind: "edit", body: "back", mentions: [] }, { clientId: "x" })).status).toBe("not_found");
      expect((await change(room, m.id, "alice", { kind: "react", emoji: "🎉" })).status).toBe("not_found");
      expect((await change(room, m.id, "alice", { kind: "unreact", emoji: "👍" })).status).toBe("not_found");
    });

    test("a reply's ReplyRef is resolved when read: its snippet follows the answered message's edit and deletion", async () => {
      const { log, reader } = f();
      const room = uid("reply-");
      const q = (await log.append(draft(room, "alice", { body: "x".repeat(LIMITS.replySnippetMax + 50) }))).message;
      const r = (await log.append(draft(room, "bob", { body: "answer", replyTo: q.id }))).message;
      const replyOf = async () => (await reader.after(room, q.seq, 1))[0]!.replyTo;
      expect(await replyOf()).toEqual({ id: q.id, seq: q.seq, from: "alice", fromName: q.fromName, snippet: "x".repeat(LIMITS.replySnippetMax) });
      await applied(change(room, q.id, "alice", { kind: "edit", body: "short now", mentions: [] }));
      expect((await replyOf())?.snippet).toBe("short now");
      await applied(change(room, q.id, "alice", { kind: "delete" }));
      expect(await replyOf()).toEqual({ id: q.id, seq: q.seq, from: "alice", fromName: q.fromName, snippet: "", deleted: true });
      expect(r.seq).toBe(q.seq + 1);
    });

    test("changedAfter: messages at or before afterSeq changed after it, in their current state, by rev", async () => {
      const { log, changeReader } = f();
      const room = uid("since-");
      const [m1, m2, m3] = [(await log.append(draft(room, "a"))).message, (await log.append(draft(room, "a"))).message, (await log.append(draft(room, "a"))).message];
      await applied(change(room, m2.id, "b", { kind: "react", emoji: "👍" })); // 4
      await applied(change(room, m1.id, "a", { kind: "edit", body: "m1 v2", mentions: [] })); // 5
      const m4 = (await log.append(draft(room, "a"))).message; // 6
      await applied(change(room, m4.id, "b", { kind: "react", emoji: "👍" })); // 7: m4 is after any afterSeq below 6
      await applied(change(room, m2.id, "b", { kind: "react", emoji: "🎉" })); // 8
      expect((await changeReader.changedAfter(room, 3, 10)).map((m) => [m.id, m.rev])).toEqual([
        [m1.id, 5],
        [m2.id, 8],
      ]);
      expect((await changeReader.changedAfter(room, 5, 10)).map((m) => m.id)).toEqual([m2.id]);
      expect((await changeReader.changedAfter(room, 6, 10)).map((m) => m.id)).toEqual([m4.id, m2.id]);
      expect((await changeReader.changedAfter(room, 3, 1)).map((m) => m.id)).toEqual([m1.id]);
      expect(await changeReader.changedAfter(room, 8, 10)).toEqual([]);
      expect((await changeReader.changedAfter(room, 3, 10))[1]!.reactions).toEqual([
        { emoji: "👍", users: ["b"] },
        { emoji: "🎉", users: ["b"] },
      ]);
      expect(m3.seq).toBe(3);
    });

    test("unread: the newest seq counts changes; messages after the cursor, not mine, not deleted; mentions of me", async () => {
      const { log, changeReader } = f();
      const [room, quiet, empty] = [uid("un-"), uid("unq-"), uid("une-")];
      const mine = (await log.append(draft(room, "me"))).message; // 1
      await log.append(draft(room, "you", { mentions: ["me"] })); // 2
      const gone = (await log.append(draft(room, "you", { mentions: ["me", "them"] }))).message; // 3
      await log.append(draft(room, "you")); // 4
      await log.append(draft(room, "them", { mentions: ["them"] })); // 5
      await applied(change(room, gone.id, "you", { kind: "delete" })); // 6
      await applied(change(room, mine.id, "you", { kind: "react", emoji: "👍" })); // 7
      await log.append(draft(quiet, "you", { mentions: ["me"] }));
      const counts = await changeReader.unread("me", new Map([[room, 0], [quiet, 1], [empty, 0]]));
      expect(counts.get(room)).toEqual({ lastSeq: 7, messages: 3, mentions: 1 });
      expect(counts.get(quiet)).toEqual({ lastSeq: 1, messages: 0, mentions: 0 });
      expect(counts.get(empty)).toEqual({ lastSeq: 0, messages: 0, mentions: 0 });
      expect((await changeReader.unread("me", new Map([[room, 2]]))).get(room)).toEqual({ lastSeq: 7, messages: 2, mentions: 0 });
      expect((await changeReader.unread("them", new Map([[room, 0]]))).get(room)).toEqual({ lastSeq: 7, messages: 3, mentions: 0 });
    });
  });
}
