import { describe, expect, test } from "bun:test";
import type { AppendResult, ChatMessage } from "../../src/domain/model.ts";
import type { MessageLog, MessageReader, RoomStore } from "../../src/ports/index.ts";
import { uid, useFixture, type MakeFixture } from "./fixture.ts";
import { draft } from "./message-reader.ts";

export interface MessageLogFixture {
  log: MessageLog;
  reader: MessageReader;
  rooms: RoomStore;
  /** A second instance on the same storage (required with multiInstance). */
  peer?: MessageLog;
}

/** Seqs of a room as stored: must be exactly 1..n. */
async function expectGapFree(reader: MessageReader, room: string, n: number) {
  const stored = await reader.after(room, 0, n + 10);
  expect(stored.map((m) => m.seq)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
  expect(new Set(stored.map((m) => m.id)).size).toBe(n);
}

/** The MessageLog contract: every adapter must pass it unchanged. */
export function messageLogContract(name: string, make: MakeFixture<MessageLogFixture>, opts: { multiInstance?: boolean } = {}) {
  describe(`MessageLog contract (${name})`, () => {
    const f = useFixture(make);

    test("seq starts at 1 and counts per room; the message is the draft plus its seq", async () => {
      const { log } = f();
      const [a, b] = [uid("a-"), uid("b-")];
      const d = draft(a, "alice");
      const first = await log.append(d);
      expect(first).toEqual({ duplicate: false, message: { ...d, seq: 1 } as ChatMessage });
      expect((await log.append(draft(a, "bob"))).message.seq).toBe(2);
      expect((await log.append(draft(b, "bob"))).message.seq).toBe(1);
    });

    test("a retried clientId returns the original with duplicate: true", async () => {
      const { log, reader } = f();
      const r = uid("dup-");
      const original = (await log.append(draft(r, "alice", { clientId: "same" }))).message;
      await log.append(draft(r, "bob", { clientId: "same" })); // another sender may use the same clientId
      const retry = await log.append(draft(r, "alice", { clientId: "same", body: "changed" }));
      expect(retry).toEqual({ duplicate: true, message: original });
      await expectGapFree(reader, r, 2);
    });

    test("the same clientId in another room is a new message there, not a duplicate of the first", async () => {
      const { log, reader } = f();
      const [r1, r2] = [uid("cid1-"), uid("cid2-")];
      const first = (await log.append(draft(r1, "alice", { clientId: "reused" }))).message;
      const other = await log.append(draft(r2, "alice", { clientId: "reused", body: "second room" }));
      expect(other.duplicate).toBe(false);
      expect(other.message).toMatchObject({ room: r2, seq: 1, body: "second room" });
      expect(other.message.id).not.toBe(first.id);
      // Still idempotent within each room.
      expect(await log.append(draft(r2, "alice", { clientId: "reused" }))).toEqual({ duplicate: true, message: other.message });
      await expectGapFree(reader, r1, 1);
      await expectGapFree(reader, r2, 1);
    });

    test("concurrent retries of one clientId store it once", async () => {
      const { log, reader } = f();
      const r = uid("cdup-");
      const results = await Promise.all(Array.from({ length: 6 }, () => log.append(draft(r, "alice", { clientId: "x" }))));
      expect(results.filter((x) => !x.duplicate)).toHaveLength(1);
      expect(new Set(results.map((x) => x.message.id)).size).toBe(1);
      await expectGapFree(reader, r, 1);
    });

    test("the sender's read cursor moves to their own message", async () => {
      const { log, rooms } = f();
      const r = uid("cur-");
      await rooms.ensureRoom({ id: r, kind: "group", name: "g", createdBy: null, createdAt: 1 });
      await rooms.addMember(r, "alice", 1);
      await rooms.addMember(r, "bob", 1);
      await log.append(draft(r, "bob"));
      const mine = await log.append(draft(r, "alice"));
      const cursors = new Map<string, number>();
      for (const u of ["alice", "bob"]) cursors.set(u, (await rooms.roomsOf(u)).find((x) => x.id === r)!.lastReadSeq);
      expect(cursors.get("alice")).toBe(mine.message.seq);
      expect(cursors.get("bob")).toBe(1);
    });

    test("200 concurrent appends across 3 rooms: per-room seq gap-free, nothing lost", async () => {
      const { log, reader } = f();
      const rooms = [uid("p1-"), uid("p2-"), uid("p3-")];
      const results = await Promise.all(
        Array.from({ length: 200 }, (_, i) => log.append(draft(rooms[i % 3]!, `user${i % 7}`))),
      );
      expect(results.every((r) => !r.duplicate)).toBe(true);
      for (const [i, room] of rooms.entries()) {
        const n = Math.floor(200 / 3) + (i < 200 % 3 ? 1 : 0);
        await expectGapFree(reader, room, n);
        const acked = results.filter((r) => r.message.room === room).map((r) => r.message.seq).sort((a, b) => a - b);
        expect(acked).toEqual(Array.from({ length: n }, (_, k) => k + 1));
      }
      expect(await log.backlog()).toBe(0);
    });

    if (opts.multiInstance) test("two instances appending to the same rooms stay gap-free; a retry on the other instance is a duplicate", async () => {
      const { log, peer, reader } = f();
      if (!peer) throw new Error("multiInstance needs a peer in the fixture");
      const rooms = [uid("m1-"), uid("m2-")];
      const tasks: Promise<AppendResult>[] = [];
      for (let i = 0; i < 120; i++) tasks.push((i % 2 ? log : peer).append(draft(rooms[i % 4 < 2 ? 0 : 1]!, `user${i % 5}`)));
      const results = await Promise.all(tasks);
      expect(results.every((r) => !r.duplicate)).toBe(true);
      for (const room of rooms) await expectGapFree(reader, room, 60);
      const original = results[0]!.message;
      const retry = await log.append(draft(original.room, original.from, { clientId: original.clientId }));
      expect(retry).toEqual({ duplicate: true, message: original });
      await expectGapFree(reader, original.room, 60);
    });
  });
}
