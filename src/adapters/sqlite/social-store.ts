import type { Database } from "bun:sqlite";
import type { FriendRequest } from "../../domain/model.ts";
import type { SocialStore } from "../../ports/index.ts";

interface RequestRow {
  from_id: string;
  to_id: string;
  created_at: number;
}
const toRequest = (r: RequestRow): FriendRequest => ({ from: r.from_id, to: r.to_id, createdAt: r.created_at });

export class SqliteSocialStore implements SocialStore {
  private q;
  constructor(private db: Database) {
    this.q = {
      put: db.query<unknown, [string, string, number]>(
        "INSERT OR IGNORE INTO friend_requests (from_id, to_id, created_at) VALUES (?, ?, ?)",
      ),
      del: db.query<unknown, [string, string]>("DELETE FROM friend_requests WHERE from_id = ? AND to_id = ?"),
      get: db.query<RequestRow, [string, string]>("SELECT * FROM friend_requests WHERE from_id = ? AND to_id = ?"),
      incoming: db.query<RequestRow, [string]>("SELECT * FROM friend_requests WHERE to_id = ? ORDER BY created_at"),
      outgoing: db.query<RequestRow, [string]>("SELECT * FROM friend_requests WHERE from_id = ? ORDER BY created_at"),
      addFriend: db.query<unknown, [string, string, number]>(
        "INSERT OR IGNORE INTO friendships (user_id, friend_id, created_at) VALUES (?, ?, ?)",
      ),
      delFriend: db.query<unknown, [string, string]>("DELETE FROM friendships WHERE user_id = ? AND friend_id = ?"),
      isFriend: db.query<{ one: number }, [string, string]>(
        "SELECT 1 AS one FROM friendships WHERE user_id = ? AND friend_id = ?",
      ),
      friends: db.query<{ friend_id: string }, [string]>("SELECT friend_id FROM friendships WHERE user_id = ?"),
    };
  }

  async putRequest(r: FriendRequest) {
    this.q.put.run(r.from, r.to, r.createdAt);
  }
  async deleteRequest(from: string, to: string) {
    return this.q.del.run(from, to).changes > 0;
  }
  async request(from: string, to: string) {
    const r = this.q.get.get(from, to);
    return r ? toRequest(r) : null;
  }
  async requestsOf(userId: string) {
    return { incoming: this.q.incoming.all(userId).map(toRequest), outgoing: this.q.outgoing.all(userId).map(toRequest) };
  }
  async addFriendship(a: string, b: string, at: number) {
    this.db.transaction(() => {
      this.q.addFriend.run(a, b, at);
      this.q.addFriend.run(b, a, at);
    })();
  }
  async removeFriendship(a: string, b: string) {
    return this.db.transaction(() => {
      const n = this.q.delFriend.run(a, b).changes;
      this.q.delFriend.run(b, a);
      return n > 0;
    })();
  }
  async areFriends(a: string, b: string) {
    return this.q.isFriend.get(a, b) !== null;
  }
  async friendIds(userId: string) {
    return this.q.friends.all(userId).map((r) => r.friend_id);
  }
}
