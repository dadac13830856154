import type { AnyBulkWriteOperation, Db } from "mongodb";
import type { FriendRequest } from "../../domain/model.ts";
import type { SocialStore } from "../../ports/index.ts";
import { collections, isDuplicateKey, type Collections, type FriendRequestDoc, type FriendshipDoc } from "./collections.ts";

const toRequest = (d: FriendRequestDoc): FriendRequest => ({ from: d.from, to: d.to, createdAt: d.createdAt });

/**
 * Runs idempotent upserts until none races: two concurrent upserts of one key can both try to
 * insert, and the loser gets a duplicate-key error. FerretDB also skips the rest of a bulk write
 * after such an error, so the write is repeated (now matching) rather than the error ignored.
 */
async function upsertSettled(write: () => Promise<unknown>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return void (await write());
    } catch (err) {
      if (!isDuplicateKey(err) || attempt >= 3) throw err;
    }
  }
}

/**
 * Friendship is stored in both directions. Without transactions the two halves are written by one
 * bulk write of idempotent upserts (or one delete of both): repeating a half-done call completes it.
 */
export class MongoSocialStore implements SocialStore {
  private c: Collections;
  constructor(db: Db) {
    this.c = collections(db);
  }

  async putRequest(r: FriendRequest) {
    await upsertSettled(() =>
      this.c.friendRequests.updateOne({ from: r.from, to: r.to }, { $setOnInsert: { createdAt: r.createdAt } }, { upsert: true }),
    );
  }
  async deleteRequest(from: string, to: string) {
    return (await this.c.friendRequests.deleteOne({ from, to })).deletedCount > 0;
  }
  async request(from: string, to: string) {
    const d = await this.c.friendRequests.findOne({ from, to });
    return d ? toRequest(d) : null;
  }
  async requestsOf(userId: string) {
    const [incoming, outgoing] = await Promise.all([
      this.c.friendRequests.find({ to: userId }).sort({ createdAt: 1 }).toArray(),
      this.c.friendRequests.find({ from: userId }).sort({ createdAt: 1 }).toArray(),
    ]);
    return { incoming: incoming.map(toRequest), outgoing: outgoing.map(toRequest) };
  }

  async addFriendship(a: string, b: string, at: number) {
    const upsert = (user: string, friend: string): AnyBulkWriteOperation<FriendshipDoc> => ({
      updateOne: { filter: { user, friend }, update: { $setOnInsert: { createdAt: at } }, upsert: true },
    });
    await upsertSettled(() => this.c.friendships.bulkWrite([upsert(a, b), upsert(b, a)], { ordered: false }));
  }
  async removeFriendship(a: string, b: string) {
    const res = await this.c.friendships.deleteMany({
      $or: [
        { user: a, friend: b },
        { user: b, friend: a },
      ],
    });
    return res.deletedCount > 0;
  }
  async areFriends(a: string, b: string) {
    return (await this.c.friendships.countDocuments({ user: a, friend: b }, { limit: 1 })) > 0;
  }
  async friendIds(userId: string) {
    const docs = await this.c.friendships.find({ user: userId }, { projection: { friend: 1 } }).toArray();
    return docs.map((d) => d.friend);
  }
}
