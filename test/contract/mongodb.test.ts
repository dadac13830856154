/** Every storage contract against the MongoDB adapters on a real MongoDB-wire server, plus bulkUpsert. */
import { afterAll, describe, expect, test } from "bun:test";
import { MongoClient } from "mongodb";
import { newId } from "../../src/domain/ids.ts";
import type { ChatMessage } from "../../src/domain/model.ts";
import { createMongoStorage, type MongoStorage } from "../../src/adapters/mongodb/storage.ts";
import { MongoMessageStore } from "../../src/adapters/mongodb/message-store.ts";
import { describeWithEngines, engineUrl } from "../support/engines.ts";
import { accountStoreContract } from "./account-store.ts";
import { uid, useFixture } from "./fixture.ts";
import { messageLogContract } from "./message-log.ts";
import { messageReaderContract } from "./message-reader.ts";
import { messageChangesContract } from "./message-changes.ts";
import { roomStoreContract } from "./room-store.ts";
import { socialStoreContract } from "./social-store.ts";
import { fileStoreContract } from "./file-store.ts";
import { uploadRegistryContract } from "./upload-registry.ts";
import { GridFsFileStore } from "../../src/adapters/mongodb/gridfs-file-store.ts";
import { MongoUploadRegistry } from "../../src/adapters/mongodb/upload-registry.ts";

// One database for this file, dropped at the end; tests use unique ids so they never collide.
const dbName = `contract_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;

/** The store as "MongoDB without Kafka" runs it: its own write path included. */
async function mongo(): Promise<MongoStorage & ReturnType<MongoStorage["ownWritePath"]> & { cleanup(): Promise<void> }> {
  const storage = createMongoStorage({ uri: engineUrl("mongodb")!, dbName });
  await storage.lifecycle.start!();
  return { ...storage, ...storage.ownWritePath(), cleanup: () => storage.lifecycle.close!() };
}

describeWithEngines(["mongodb"], "mongodb", () => {
  afterAll(async () => {
    const client = new MongoClient(engineUrl("mongodb")!);
    await client.db(dbName).dropDatabase();
    await client.close();
  });

  uploadRegistryContract("mongodb", async () => {
    const s = await mongo();
    const uploads = new MongoUploadRegistry(s.connection.db);
    await uploads.start();
    return { uploads, cleanup: s.cleanup };
  });
  fileStoreContract("gridfs", async () => {
    const s = await mongo();
    return { store: new GridFsFileStore(s.connection.db), cleanup: s.cleanup };
  });
  accountStoreContract("mongodb", async () => {
    const s = await mongo();
    return { store: s.accounts, cleanup: s.cleanup };
  });
  socialStoreContract("mongodb", async () => {
    const s = await mongo();
    return { store: s.social, cleanup: s.cleanup };
  });
  roomStoreContract("mongodb", async () => {
    const s = await mongo();
    return { store: s.rooms, cleanup: s.cleanup };
  });
  messageReaderContract("mongodb", mongo);
  messageLogContract(
    "mongodb",
    async () => {
      // Two instances = two connections, as two app processes would have.
      const [a, b] = [await mongo(), await mongo()];
      return {
        log: a.log,
        reader: a.reader,
        rooms: a.rooms,
        peer: b.log,
        cleanup: async () => {
          await a.cleanup();
          await b.cleanup();
        },
      };
    },
    { multiInstance: true },
  );

  // MongoDB without Kafka (MongoMessageChangeLog); under Kafka the protocol suite covers the pipeline's.
  messageChangesContract("mongodb", mongo);

  describe("MongoMessageStore.bulkUpsert", () => {
    const f = useFixture(mongo);
    const message = (room: string, seq: number, extra: Partial<ChatMessage> = {}): ChatMessage => ({
      id: newId(), room, seq, from: "alice", fromName: "Alice", body: `m${seq}`, createdAt: 1000 + seq, clientId: uid("c-"), ...extra,
    });

    test("replays and redeliveries never duplicate or change a stored message", async () => {
      const { messages, reader } = f();
      const room = uid("bulk-");
      const batch = [1, 2, 3].map((s) => message(room, s));
      expect(await messages.bulkUpsert(batch)).toEqual({ stored: 3, conflicts: [] });
      const replay = [...batch.map((m) => ({ ...m, body: "tampered" })), message(room, 4)];
      expect(await messages.bulkUpsert(replay)).toEqual({ stored: 4, conflicts: [] });
      const stored = await reader.after(room, 0, 10);
      expect(stored.map((m) => m.seq)).toEqual([1, 2, 3, 4]);
      expect(stored.slice(0, 3)).toEqual(batch);
      expect(await messages.bulkUpsert([])).toEqual({ stored: 0, conflicts: [] });
    });

    test("concurrent upserts of the same batch store each message once", async () => {
      const { messages, reader } = f();
      const room = uid("bulkc-");
      const batch = Array.from({ length: 20 }, (_, i) => message(room, i + 1));
      const results = await Promise.all(Array.from({ length: 4 }, () => messages.bulkUpsert(batch)));
      expect(results.every((r) => r.stored === 20 && r.conflicts.length === 0)).toBe(true);
      expect((await reader.after(room, 0, 100)).map((m) => m.id)).toEqual(batch.map((m) => m.id));
    });

    test("a different message on a taken (room, seq) is reported as a conflict, the rest is stored", async () => {
      const { messages, reader } = f();
      const room = uid("bulkx-");
      const first = message(room, 1);
      await messages.bulkUpsert([first]);
      const clash = message(room, 1);
      const sameClient = message(room, 3, { clientId: first.clientId });
      const [next, later] = [message(room, 2), message(room, 4)];
      expect(await messages.bulkUpsert([clash, next, sameClient, later])).toEqual({ stored: 2, conflicts: [clash, sameClient] });
      expect((await reader.after(room, 0, 10)).map((m) => m.id)).toEqual([first.id, next.id, later.id]);
    });

    test("batches larger than one command: replays and a conflict past the first chunk", async () => {
      const { messages, reader } = f();
      const room = uid("bulkl-");
      const batch = Array.from({ length: 250 }, (_, i) => message(room, i + 1));
      expect(await messages.bulkUpsert(batch.slice(0, 120))).toEqual({ stored: 120, conflicts: [] });
      const clash = message(room, 7); // seq 7 is taken by another message
      const mixed = [...batch.slice(0, 150), clash, ...batch.slice(150)];
      expect(await messages.bulkUpsert(mixed)).toEqual({ stored: 250, conflicts: [clash] });
      expect((await reader.after(room, 0, 500)).map((m) => m.id)).toEqual(batch.map((m) => m.id));
    });

    test("moves each sender's read cursor forward to their newest message, never back", async () => {
      const { messages, rooms } = f();
      const room = uid("bulkr-");
      await rooms.ensureRoom({ id: room, kind: "group", name: "g", createdBy: null, createdAt: 1 });
      await rooms.addMember(room, "alice", 1);
      await rooms.addMember(room, "bob", 1);
      await messages.bulkUpsert([message(room, 2), message(room, 1), message(room, 3, { from: "bob" })]);
      const cursor = async (u: string) => (await rooms.roomsOf(u)).find((r) => r.id === room)!.lastReadSeq;
      expect(await cursor("alice")).toBe(2);
      expect(await cursor("bob")).toBe(3);
      await messages.bulkUpsert([message(room, 4, { from: "bob" })]);
      await rooms.advanceRead(room, "alice", 1);
      expect(await cursor("alice")).toBe(2);
      expect(await cursor("bob")).toBe(4);
    });

    test("a batch from more senders than one update command holds moves every sender's cursor", async () => {
      // 120 senders: one update command of 100 statements never answered on FerretDB 1.24.
      const { messages, rooms } = f();
      const room = uid("bulkm-");
      const senders = Array.from({ length: 120 }, (_, i) => `s${i}-${room}`);
      await rooms.ensureRoom({ id: room, kind: "group", name: "g", createdBy: null, createdAt: 1 });
      for (const s of senders) await rooms.addMember(room, s, 1);
      await messages.bulkUpsert(senders.map((from, i) => message(room, i + 1, { from })));
      const cursors = await rooms.readCursors(room, 200);
      expect(senders.map((s) => cursors.get(s))).toEqual(senders.map((_, i) => i + 1));
    });

    test("a member who left and joined again gets their cursor moved on the new membership", async () => {
      const { messages, rooms } = f();
      const room = uid("bulkj-");
      await rooms.ensureRoom({ id: room, kind: "group", name: "g", createdBy: null, createdAt: 1 });
      await rooms.addMember(room, "alice", 1);
      await messages.bulkUpsert([message(room, 1)]); // the store now knows alice's membership
      await rooms.removeMember(room, "alice");
      await rooms.addMember(room, "alice", 2); // a new membership document, cursor 0
      await messages.bulkUpsert([message(room, 2)]);
      expect((await rooms.roomsOf("alice")).find((r) => r.id === room)?.lastReadSeq).toBe(2);
      await rooms.removeMember(room, "alice");
      await messages.bulkUpsert([message(room, 3)]); // not a member: nothing to move, no error
      expect(await rooms.isMember(room, "alice")).toBe(false);
    });

    test("deferred cursor moves wait for the flush, then land at each sender's newest message", async () => {
      const { rooms } = f();
      const client = new MongoClient(engineUrl("mongodb")!);
      try {
        const deferred = new MongoMessageStore(client.db(dbName), { deferCursorMoves: true });
        const room = uid("bulkd-");
        await rooms.ensureRoom({ id: room, kind: "group", name: "g", createdBy: null, createdAt: 1 });
        await rooms.addMember(room, "alice", 1);
        await rooms.addMember(room, "bob", 1);
        await deferred.bulkUpsert([message(room, 1), message(room, 2, { from: "bob" })]);
        await deferred.bulkUpsert([message(room, 3), message(room, 4)]);
        const cursors = async () => Promise.all(["alice", "bob"].map(async (u) => (await rooms.roomsOf(u)).find((r) => r.id === room)?.lastReadSeq));
        expect(await cursors()).toEqual([0, 0]);
        await deferred.flushCursorMoves();
        expect(await cursors()).toEqual([4, 2]);
      } finally {
        await client.close();
      }
    });

    test("health pings the server", async () => {
      const { lifecycle } = f();
      const h = await lifecycle.health!();
      expect(h.name).toBe("mongodb");
      expect(h.ok).toBe(true);
    });
  });
});
