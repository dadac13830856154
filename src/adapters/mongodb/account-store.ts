import type { Db } from "mongodb";
import type { Session, User } from "../../domain/model.ts";
import type { AccountStore } from "../../ports/index.ts";
import { collections, isDuplicateKey, type Collections, type UserDoc } from "./collections.ts";

const toUser = (d: UserDoc): User => ({
  id: d._id,
  username: d.username,
  passwordHash: d.passwordHash,
  createdAt: d.createdAt,
  lastSeen: d.lastSeen ?? null, // FerretDB may drop null fields
});

/** Uniqueness comes from indexes (_id, username) and single-document atomic updates. */
export class MongoAccountStore implements AccountStore {
  private c: Collections;
  constructor(db: Db) {
    this.c = collections(db);
  }

  async createUser(u: User) {
    try {
      await this.c.users.insertOne({
        _id: u.id,
        username: u.username,
        passwordHash: u.passwordHash,
        createdAt: u.createdAt,
        lastSeen: null,
      });
      return "created" as const;
    } catch (err) {
      if (isDuplicateKey(err)) return "taken" as const;
      throw err;
    }
  }
  async userById(id: string) {
    const d = await this.c.users.findOne({ _id: id });
    return d ? toUser(d) : null;
  }
  async userByName(username: string) {
    const d = await this.c.users.findOne({ username });
    return d ? toUser(d) : null;
  }
  async usersByIds(ids: readonly string[]) {
    if (ids.length === 0) return [];
    return (await this.c.users.find({ _id: { $in: [...ids] } }).toArray()).map(toUser);
  }
  async searchUsers(prefix: string, limit: number) {
    // A range instead of a regex: uses the username index and needs no escaping.
    const docs = await this.c.users
      .find({ username: { $gte: prefix, $lt: `${prefix}\u{10FFFF}` } })
      .sort({ username: 1 })
      .limit(limit)
      .toArray();
    return docs.map(toUser);
  }
  async setLastSeen(userId: string, at: number) {
    await this.c.users.updateOne({ _id: userId }, { $set: { lastSeen: at } });
  }

  async createSession(s: Session) {
    await this.c.sessions.updateOne(
      { _id: s.id },
      { $setOnInsert: { userId: s.userId, createdAt: s.createdAt, revokedAt: null } },
      { upsert: true },
    );
  }
  async session(id: string) {
    const d = await this.c.sessions.findOne({ _id: id });
    return d ? { id: d._id, userId: d.userId, createdAt: d.createdAt, revokedAt: d.revokedAt ?? null } : null;
  }
  async revokeSession(id: string, at: number) {
    // The first revocation time wins, like SQLite's coalesce.
    await this.c.sessions.updateOne({ _id: id, revokedAt: null }, { $set: { revokedAt: at } });
  }

  async addRefreshToken(jti: string, sessionId: string, expiresAt: number) {
    await this.c.refreshTokens.updateOne(
      { _id: jti },
      { $setOnInsert: { sessionId, expiresAt } },
      { upsert: true },
    );
  }
  async useRefreshToken(jti: string, at: number) {
    if ((await this.c.refreshTokens.countDocuments({ _id: jti }, { limit: 1 })) === 0) return "unknown" as const;
    // Claimed by an insert: the unique _id lets exactly one caller win, on MongoDB and FerretDB alike.
    try {
      await this.c.refreshTokenUses.insertOne({ _id: jti, usedAt: at });
      return "ok" as const;
    } catch (err) {
      if (isDuplicateKey(err)) return "reused" as const;
      throw err;
    }
  }
}
