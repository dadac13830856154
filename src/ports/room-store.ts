import type { MemberRoom, Room } from "../domain/model.ts";
import type { Lifecycle } from "./lifecycle.ts";

/** Rooms, memberships and read cursors. */
export interface RoomStore extends Lifecycle {
  /** Creates the room if it does not exist; never changes an existing one. */
  ensureRoom(room: Room): Promise<void>;
  room(id: string): Promise<Room | null>;
  /** Changes the name of an existing room; true when the room exists. */
  rename(id: string, name: string): Promise<boolean>;
  /** True when the user was not a member before. */
  addMember(roomId: string, userId: string, at: number): Promise<boolean>;
  /** True when the user was a member. */
  removeMember(roomId: string, userId: string): Promise<boolean>;
  isMember(roomId: string, userId: string): Promise<boolean>;
  memberIds(roomId: string): Promise<string[]>;
  roomsOf(userId: string): Promise<MemberRoom[]>;
  /** How many groups the user created, including ones they have left since. */
  groupsCreatedBy(userId: string): Promise<number>;
  /**
   * Members' read cursors (userId → seq) that are above 0, highest first, at most `limit`. Scaled out,
   * a cursor may trail the live `read` frames until the persistence worker has caught up.
   */
  readCursors(roomId: string, limit: number): Promise<Map<string, number>>;
  /** Moves the read cursor forward only; returns the cursor after the call. */
  advanceRead(roomId: string, userId: string, seq: number): Promise<number>;
}
