import type { Database } from "bun:sqlite";
import type { MemberRoom, Room, RoomKind } from "../../domain/model.ts";
import type { RoomStore } from "../../ports/index.ts";
import type { SqliteWriterClient } from "./writer-client.ts";

interface RoomRow {
  id: string;
  kind: RoomKind;
  name: string;
  created_by: string | null;
  created_at: number;
}
const toRoom = (r: RoomRow): Room => ({ id: r.id, kind: r.kind, name: r.name, createdBy: r.created_by, createdAt: r.created_at });

export class SqliteRoomStore implements RoomStore {
  private q;
  /** Read cursors go through the writer so the socket thread never waits for the write lock. */
  constructor(db: Database, private writer: SqliteWriterClient) {
    this.q = {
      ensure: db.query<unknown, [string, string, string, string | null, number]>(
        "INSERT OR IGNORE INTO rooms (id, kind, name, created_by, created_at) VALUES (?, ?, ?, ?, ?)",
      ),
      room: db.query<RoomRow, [string]>("SELECT * FROM rooms WHERE id = ?"),
      rename: db.query<unknown, [string, string]>("UPDATE rooms SET name = ? WHERE id = ?"),
      add: db.query<unknown, [string, string, number]>(
        "INSERT OR IGNORE INTO memberships (room_id, user_id, joined_at) VALUES (?, ?, ?)",
      ),
      remove: db.query<unknown, [string, string]>("DELETE FROM memberships WHERE room_id = ? AND user_id = ?"),
      isMember: db.query<{ one: number }, [string, string]>(
        "SELECT 1 AS one FROM memberships WHERE room_id = ? AND user_id = ?",
      ),
      members: db.query<{ user_id: string }, [string]>("SELECT user_id FROM memberships WHERE room_id = ?"),
      createdBy: db.query<{ n: number }, [string]>("SELECT count(*) AS n FROM rooms WHERE created_by = ? AND kind = 'group'"),
      cursors: db.query<{ user_id: string; last_read_seq: number }, [string, number]>(
        "SELECT user_id, last_read_seq FROM memberships WHERE room_id = ? AND last_read_seq > 0 ORDER BY last_read_seq DESC LIMIT ?",
      ),
      roomsOf: db.query<RoomRow & { last_read_seq: number }, [string]>(
        `SELECT r.*, m.last_read_seq FROM memberships m JOIN rooms r ON r.id = m.room_id WHERE m.user_id = ?`,
      ),
    };
  }

  async ensureRoom(r: Room) {
    this.q.ensure.run(r.id, r.kind, r.name, r.createdBy, r.createdAt);
  }
  async room(id: string) {
    const r = this.q.room.get(id);
    return r ? toRoom(r) : null;
  }
  async rename(id: string, name: string) {
    return this.q.rename.run(name, id).changes > 0;
  }
  async addMember(roomId: string, userId: string, at: number) {
    return this.q.add.run(roomId, userId, at).changes > 0;
  }
  async removeMember(roomId: string, userId: string) {
    return this.q.remove.run(roomId, userId).changes > 0;
  }
  async isMember(roomId: string, userId: string) {
    return this.q.isMember.get(roomId, userId) !== null;
  }
  async memberIds(roomId: string) {
    return this.q.members.all(roomId).map((r) => r.user_id);
  }
  async roomsOf(userId: string): Promise<MemberRoom[]> {
    return this.q.roomsOf.all(userId).map((r) => ({ ...toRoom(r), lastReadSeq: r.last_read_seq }));
  }
  async groupsCreatedBy(userId: string) {
    return this.q.createdBy.get(userId)?.n ?? 0;
  }
  async readCursors(roomId: string, limit: number) {
    return new Map(this.q.cursors.all(roomId, limit).map((r) => [r.user_id, r.last_read_seq]));
  }
  async advanceRead(roomId: string, userId: string, seq: number) {
    return this.writer.advanceRead(roomId, userId, seq);
  }
}
