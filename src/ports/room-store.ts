import type { MemberRoom, Room } from "../domain/model.ts";
import type { Lifecycle } from "./lifecycle.ts";

/** Rooms, memberships and read cursors. */
export interface RoomStore extends Lifecycle {
  /** Creates the room if it does not exist; never changes an existing one. */
  ensureRoom(room: Room): Promise<void>;
  room(id: string): Promise<Room | null>;
  /** True when the user was not a member before. */
  addMember(roomId: string, userId: string, at: number): Promise<boolean>;
  /** True when the user was a member. */
  removeMember(roomId: string, userId: string): Promise<boolean>;
  isMember(roomId: string, userId: string): Promise<boolean>;
  memberIds(roomId: string): Promise<string[]>;
  roomsOf(userId: string): Promise<MemberRoom[]>;
  /** How many groups the user created, including ones they have left since. */
  groupsCreatedBy(userId: string): Promise<number>;
  /** Moves the read cursor forward only; returns the cursor after the call. */
  advanceRead(roomId: string, userId: string, seq: number): Promise<number>;
}
