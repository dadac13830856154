import { describe, expect, test } from "bun:test";
import type { Room } from "../../src/domain/model.ts";
import type { RoomStore } from "../../src/ports/index.ts";
import { uid, useFixture, type MakeFixture } from "./fixture.ts";

const room = (id = uid("r-"), name = "Room"): Room => ({ id, kind: "group", name, createdBy: "owner", createdAt: 100 });

/** The RoomStore contract: every adapter must pass it unchanged. */
export function roomStoreContract(name: string, make: MakeFixture<{ store: RoomStore }>) {
  describe(`RoomStore contract (${name})`, () => {
    const f = useFixture(make);

    test("ensureRoom creates once and never changes an existing room", async () => {
      const { store } = f();
      const r = room();
      await store.ensureRoom(r);
      await store.ensureRoom({ ...r, name: "Renamed", kind: "public" });
      expect(await store.room(r.id)).toEqual(r);
      expect(await store.room(uid("none-"))).toBeNull();
      await Promise.all(Array.from({ length: 5 }, () => store.ensureRoom(room(uid("r-")))));
    });

    test("rename changes the name of an existing room only", async () => {
      const { store } = f();
      const r = room();
      await store.ensureRoom(r);
      expect(await store.rename(r.id, "Renamed")).toBe(true);
      expect(await store.room(r.id)).toEqual({ ...r, name: "Renamed" });
      expect(await store.rename(uid("none-"), "Nope")).toBe(false);
    });

    test("a room nobody created (DMs, the public room) reads back with createdBy null", async () => {
      const { store } = f();
      const dm: Room = { id: uid("dm-"), kind: "dm", name: "", createdBy: null, createdAt: 5 };
      await store.ensureRoom(dm);
      await store.addMember(dm.id, "alice", 6);
      expect(await store.room(dm.id)).toEqual(dm);
      expect((await store.roomsOf("alice")).find((r) => r.id === dm.id)).toMatchObject({ createdBy: null });
    });

    test("groupsCreatedBy counts the groups a user created, also after they left them", async () => {
      const { store } = f();
      const creator = uid("creator");
      expect(await store.groupsCreatedBy(creator)).toBe(0);
      const groups = [room(), room()].map((r) => ({ ...r, createdBy: creator }));
      for (const g of groups) await store.ensureRoom(g);
      await store.ensureRoom({ id: uid("dm-"), kind: "dm", name: "", createdBy: creator, createdAt: 1 }); // not a group
      await store.addMember(groups[0]!.id, creator, 1);
      await store.removeMember(groups[0]!.id, creator);
      expect(await store.groupsCreatedBy(creator)).toBe(2);
    });

    test("membership: add and remove report whether anything changed", async () => {
      const { store } = f();
      const r = room();
      const [u, v] = [uid("u"), uid("v")];
      await store.ensureRoom(r);
      expect(await store.addMember(r.id, u, 1)).toBe(true);
      expect(await store.addMember(r.id, u, 2)).toBe(false);
      expect(await store.addMember(r.id, v, 3)).toBe(true);
      expect(await store.isMember(r.id, u)).toBe(true);
      expect((await store.memberIds(r.id)).sort()).toEqual([u, v].sort());
      expect(await store.removeMember(r.id, u)).toBe(true);
      expect(await store.removeMember(r.id, u)).toBe(false);
      expect(await store.isMember(r.id, u)).toBe(false);
      expect(await store.memberIds(r.id)).toEqual([v]);
    });

    test("concurrent adds of one member: exactly one reports true", async () => {
      const { store } = f();
      const r = room();
      await store.ensureRoom(r);
      const results = await Promise.all(Array.from({ length: 8 }, (_, i) => store.addMember(r.id, "racer", i)));
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    test("roomsOf lists the user's rooms with their read cursors", async () => {
      const { store } = f();
      const [r1, r2, r3] = [room(uid("r-"), "one"), room(uid("r-"), "two"), room(uid("r-"), "three")];
      const u = uid("u");
      for (const r of [r1, r2, r3]) await store.ensureRoom(r);
      await store.addMember(r1.id, u, 1);
      await store.addMember(r2.id, u, 1);
      await store.addMember(r3.id, uid("other"), 1);
      await store.advanceRead(r2.id, u, 7);
      const rooms = (await store.roomsOf(u)).sort((a, b) => a.name.localeCompare(b.name));
      expect(rooms).toEqual([
        { ...r1, lastReadSeq: 0 },
        { ...r2, lastReadSeq: 7 },
      ]);
      expect(await store.roomsOf(uid("nobody"))).toEqual([]);
    });

    test("the read cursor never moves back", async () => {
      const { store } = f();
      const r = room();
      const u = uid("u");
      await store.ensureRoom(r);
      await store.addMember(r.id, u, 1);
      expect(await store.advanceRead(r.id, u, 5)).toBe(5);
      expect(await store.advanceRead(r.id, u, 3)).toBe(5);
      expect(await store.advanceRead(r.id, u, 9)).toBe(9);
      const concurrent = await Promise.all([4, 12, 10, 11, 2].map((s) => store.advanceRead(r.id, u, s)));
      expect(Math.max(...concurrent)).toBe(12);
      expect((await store.roomsOf(u))[0]?.lastReadSeq).toBe(12);
    });

    test("read cursors list members who read, highest first", async () => {
      const { store } = f();
      const r = room();
      const [a, b, c] = [uid("a"), uid("b"), uid("c")];
      await store.ensureRoom(r);
      for (const u of [a, b, c]) await store.addMember(r.id, u, 1);
      await store.advanceRead(r.id, a, 4);
      await store.advanceRead(r.id, b, 9);
      expect([...(await store.readCursors(r.id, 10))]).toEqual([[b, 9], [a, 4]]);
      expect([...(await store.readCursors(r.id, 1))]).toEqual([[b, 9]]);
    });

    test("a non-member has no cursor to move", async () => {
      const { store } = f();
      const r = room();
      await store.ensureRoom(r);
      expect(await store.advanceRead(r.id, uid("stranger"), 5)).toBe(0);
      expect(await store.isMember(r.id, "stranger")).toBe(false);
    });
  });
}
