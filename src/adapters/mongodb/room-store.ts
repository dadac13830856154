import type { Db } from "mongodb";
import type { MemberRoom, Room } from "../../domain/model.ts";
import type { RoomStore } from "../../ports/index.ts";
import { collections, isDuplicateKey, type Collections, type RoomDoc } from "./collections.ts";
import { ReadCursors } from "./read-cursors.ts";

const toRoom = (d: RoomDoc): Room => ({ id: d._id, kind: d.kind, name: d.name, createdBy: d.createdBy ?? null, createdAt: d.createdAt });

export class MongoRoomStore implements RoomStore {
  private c: Collections;
  private cursors: ReadCursors;
  /** Pass the storage's shared ReadCursors so the message log's cursor moves are serialised with these. */
  constructor(db: Db, cursors?: ReadCursors) {
    this.c = collections(db);
    this.cursors = cursors ?? new ReadCursors(this.c.memberships);
  }

  async ensureRoom(r: Room) {
    try {
      await this.c.rooms.updateOne(
        { _id: r.id },
        { $setOnInsert: { kind: r.kind, name: r.name, createdBy: r.createdBy, createdAt: r.createdAt } },
        { upsert: true },
      );
    } catch (err) {
      // Another instance inserted it between our match and our insert: it exists, which is all we promise.
      if (!isDuplicateKey(err)) throw err;
    }
  }
  async room(id: string) {
    const d = await this.c.rooms.findOne({ _id: id });
    return d ? toRoom(d) : null;
  }
  async rename(id: string, name: string) {
    return (await this.c.rooms.updateOne({ _id: id }, { $set: { name } })).matchedCount > 0;
  }
  async addMember(roomId: string, userId: string, at: number) {
    try {
      const res = await this.c.memberships.updateOne(
        { room: roomId, user: userId },
        { $setOnInsert: { joinedAt: at, lastReadSeq: 0 } },
        { upsert: true },
      );
      return res.upsertedCount === 1;
    } catch (err) {
      if (isDuplicateKey(err)) return false;
      throw err;
    }
  }
  async removeMember(roomId: string, userId: string) {
    return (await this.c.memberships.deleteOne({ room: roomId, user: userId })).deletedCount > 0;
  }
  async isMember(roomId: string, userId: string) {
    return (await this.c.memberships.countDocuments({ room: roomId, user: userId }, { limit: 1 })) > 0;
  }
  async memberIds(roomId: string) {
    const docs = await this.c.memberships.find({ room: roomId }, { projection: { user: 1 } }).toArray();
    return docs.map((d) => d.user);
  }
  async roomsOf(userId: string): Promise<MemberRoom[]> {
    // Two queries joined here: $lookup is not available on every MongoDB-wire server.
    const memberships = await this.c.memberships.find({ user: userId }).toArray();
    if (memberships.length === 0) return [];
    const rooms = await this.c.rooms.find({ _id: { $in: memberships.map((m) => m.room) } }).toArray();
    const byId = new Map(rooms.map((r) => [r._id, r]));
    return memberships.flatMap((m) => {
      const room = byId.get(m.room);
      return room ? [{ ...toRoom(room), lastReadSeq: m.lastReadSeq }] : [];
    });
  }
  async groupsCreatedBy(userId: string) {
    return this.c.rooms.countDocuments({ createdBy: userId, kind: "group" });
  }
  async readCursors(roomId: string, limit: number) {
    const docs = await this.c.memberships
      .find({ room: roomId, lastReadSeq: { $gt: 0 } }, { projection: { user: 1, lastReadSeq: 1 } })
      .sort({ lastReadSeq: -1 })
      .limit(limit)
      .toArray();
    return new Map(docs.map((d) => [d.user, d.lastReadSeq]));
  }
  async advanceRead(roomId: string, userId: string, seq: number) {
    return this.cursors.advance(roomId, userId, seq);
  }
}
