import type { MemberRoom, Room } from "../../domain/model.ts";
import type { RoomStore } from "../../ports/index.ts";
import type { RedisPipelineState } from "./pipeline-state.ts";

/**
 * The room store as the Kafka path sees it: a sender's own message counts as read the moment it is
 * accepted. The store's cursor only moves when the persistence worker writes the message, so the
 * user's read positions are the larger of the store's and the ones Redis recorded at accept time.
 * Accepting never waits on a store write this way.
 */
export class OwnReadRoomStore implements RoomStore {
  constructor(private store: RoomStore, private state: RedisPipelineState) {}

  async roomsOf(userId: string): Promise<MemberRoom[]> {
    const [rooms, own] = await Promise.all([this.store.roomsOf(userId), this.state.ownReads(userId)]);
    return rooms.map((r) => ({ ...r, lastReadSeq: Math.max(r.lastReadSeq, own.get(r.id) ?? 0) }));
  }

  async advanceRead(roomId: string, userId: string, seq: number): Promise<number> {
    const [stored, own] = await Promise.all([this.store.advanceRead(roomId, userId, seq), this.state.ownRead(userId, roomId)]);
    return Math.max(stored, own);
  }

  ensureRoom(room: Room) {
    return this.store.ensureRoom(room);
  }
  room(id: string) {
    return this.store.room(id);
  }
  rename(id: string, name: string) {
    return this.store.rename(id, name);
  }
  addMember(roomId: string, userId: string, at: number) {
    return this.store.addMember(roomId, userId, at);
  }
  removeMember(roomId: string, userId: string) {
    return this.store.removeMember(roomId, userId);
  }
  isMember(roomId: string, userId: string) {
    return this.store.isMember(roomId, userId);
  }
  memberIds(roomId: string) {
    return this.store.memberIds(roomId);
  }
  groupsCreatedBy(userId: string) {
    return this.store.groupsCreatedBy(userId);
  }
  readCursors(roomId: string, limit: number) {
    return this.store.readCursors(roomId, limit);
  }
}
