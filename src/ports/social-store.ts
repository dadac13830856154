import type { FriendRequest } from "../domain/model.ts";
import type { Lifecycle } from "./lifecycle.ts";

/** Friend requests and friendships. Friendship is symmetric; each write is idempotent. */
export interface SocialStore extends Lifecycle {
  putRequest(req: FriendRequest): Promise<void>;
  /** True when a request from -> to existed and was removed. */
  deleteRequest(from: string, to: string): Promise<boolean>;
  request(from: string, to: string): Promise<FriendRequest | null>;
  requestsOf(userId: string): Promise<{ incoming: FriendRequest[]; outgoing: FriendRequest[] }>;

  addFriendship(a: string, b: string, at: number): Promise<void>;
  /** True when they were friends. */
  removeFriendship(a: string, b: string): Promise<boolean>;
  areFriends(a: string, b: string): Promise<boolean>;
  friendIds(userId: string): Promise<string[]>;
}
