import type { AccountStore, PresenceStore, SocialStore } from "../ports/index.ts";
import type { Friend, PublicUser } from "../protocol/index.ts";
import { fail } from "./errors.ts";
import { type Quota, spendHourly } from "./quota.ts";
import { dmRoomId } from "./ids.ts";
import type { Notifier } from "./notifier.ts";
import type { Principal } from "./auth/auth-service.ts";
import { NO_ACTIVITY, type ActivityRecorder } from "./activity.ts";

/** Brakes on friend-request spam, per user. */
export interface SocialLimits {
  /** Outgoing requests still pending; more answer `conflict` until some are accepted, declined or cancelled. */
  pendingMax: number;
  /** New requests per hour (a token bucket); more answer `rate_limited`. */
  requestsPerHour: number;
}

/** Friend requests and friendships. DMs and group invitations are only possible between friends. */
export class SocialService {
  constructor(
    private accounts: AccountStore,
    private social: SocialStore,
    private presence: PresenceStore,
    private notifier: Notifier,
    private activity: ActivityRecorder = NO_ACTIVITY,
    /** Unlimited when not given; the server always passes the configured ones. */
    private quota: Quota<SocialLimits> | null = null,
  ) {}

  async searchUsers(me: Principal, query: string): Promise<PublicUser[]> {
    const users = await this.accounts.searchUsers(query.trim().toLowerCase(), 21);
    return users.filter((u) => u.id !== me.userId).slice(0, 20).map((u) => ({ id: u.id, username: u.username }));
  }

  /** Sends a request; if the other side had already asked, this accepts theirs instead. */
  async request(me: Principal, username: string): Promise<"requested" | "accepted"> {
    const other = await this.accounts.userByName(username.trim().toLowerCase());
    if (!other) return fail("not_found", "no such user");
    if (other.id === me.userId) fail("bad_request", "you cannot befriend yourself");
    if (await this.social.areFriends(me.userId, other.id)) fail("conflict", "already friends");
    if (await this.social.request(other.id, me.userId)) {
      await this.accept(me, other.id);
      return "accepted";
    }
    // A request already pending is not sent (or notified) again.
    if (await this.social.request(me.userId, other.id)) fail("conflict", "a friend request to this user is already pending");
    await this.assertRequestQuota(me.userId);
    await this.social.putRequest({ from: me.userId, to: other.id, createdAt: Date.now() });
    this.activity.record("friend.requested", me.userId, null, { peer: other.id });
    this.notifier.toUser(other.id, { type: "friend", userId: me.userId, username: me.username, op: "requested" });
    return "requested";
  }

  async accept(me: Principal, fromId: string): Promise<void> {
    if (!(await this.social.deleteRequest(fromId, me.userId))) fail("not_found", "no pending request from that user");
    await this.social.addFriendship(fromId, me.userId, Date.now());
    this.activity.record("friend.accepted", me.userId, null, { peer: fromId });
    const from = await this.accounts.userById(fromId);
    this.notifier.toUser(fromId, { type: "friend", userId: me.userId, username: me.username, op: "accepted" });
    this.notifier.toUser(me.userId, { type: "friend", userId: fromId, username: from?.username ?? "", op: "accepted" });
  }

  async decline(me: Principal, fromId: string): Promise<void> {
    if (!(await this.social.deleteRequest(fromId, me.userId))) fail("not_found", "no pending request from that user");
    this.notifier.toUser(fromId, { type: "friend", userId: me.userId, username: me.username, op: "declined" });
  }

  async cancel(me: Principal, toId: string): Promise<void> {
    if (!(await this.social.deleteRequest(me.userId, toId))) fail("not_found", "no pending request to that user");
    this.notifier.toUser(toId, { type: "friend", userId: me.userId, username: me.username, op: "cancelled" });
  }

  async unfriend(me: Principal, otherId: string): Promise<void> {
    if (!(await this.social.removeFriendship(me.userId, otherId))) fail("not_found", "not friends");
    // Their DM stays, read-only: both keep its history, neither can post until they are friends again.
    const dm = dmRoomId(me.userId, otherId);
    for (const userId of [me.userId, otherId]) this.notifier.membership(userId, dm, "read-only");
    this.notifier.toUser(otherId, { type: "friend", userId: me.userId, username: me.username, op: "removed" });
  }

  async requests(me: Principal) {
    const { incoming, outgoing } = await this.social.requestsOf(me.userId);
    const users = await this.usersById([...incoming.map((r) => r.from), ...outgoing.map((r) => r.to)]);
    const view = (id: string, createdAt: number) => ({ id, username: users.get(id) ?? "", createdAt });
    return {
      incoming: incoming.map((r) => view(r.from, r.createdAt)),
      outgoing: outgoing.map((r) => view(r.to, r.createdAt)),
    };
  }

  async friends(me: Principal): Promise<Friend[]> {
    const ids = await this.social.friendIds(me.userId);
    const [users, online] = await Promise.all([this.accounts.usersByIds(ids), this.presence.online(ids)]);
    return users
      .map((u) => ({ id: u.id, username: u.username, online: online.has(u.id), lastSeen: u.lastSeen }))
      .sort((a, b) => a.username.localeCompare(b.username));
  }

  private async assertRequestQuota(userId: string) {
    if (!this.quota) return;
    const { limiter, limits } = this.quota;
    const { outgoing } = await this.social.requestsOf(userId);
    if (outgoing.length >= limits.pendingMax) fail("conflict", `too many pending friend requests (at most ${limits.pendingMax}): cancel some first`);
    await spendHourly(limiter, `friend-request:${userId}`, limits.requestsPerHour, "too many friend requests, try again later");
  }

  private async usersById(ids: string[]) {
    const users = await this.accounts.usersByIds([...new Set(ids)]);
    return new Map(users.map((u) => [u.id, u.username]));
  }
}
