import type { AccountStore, MessageChangeReader, MessageReader, PresenceStore, RoomStore, SocialStore } from "../ports/index.ts";
import type { Friend, RoomReader, RoomSummary } from "../protocol/index.ts";
import { fail } from "./errors.ts";
import { spendHourly, type Quota } from "./quota.ts";
import { dmParticipants, dmRoomId, newId } from "./ids.ts";
import { z } from "zod";
import { PUBLIC_ROOM_ID, type ChatMessage, type MemberRoom, type Room } from "./model.ts";
import type { Notifier } from "./notifier.ts";
import type { Principal } from "./auth/auth-service.ts";
import { NO_ACTIVITY, type ActivityRecorder } from "./activity.ts";

/**
 * Brakes on group spam. Caps answer `conflict`, budgets `rate_limited`. Caps are checked before the
 * write, so concurrent requests of one user may pass one by a few; the hourly budget still holds.
 */
export interface GroupLimits {
  /** Groups one user may create in all (also those they left since). */
  createdMax: number;
  createdPerHour: number;
  /** Members of one group, the creator included. */
  membersMax: number;
  /** Groups one user can be a member of: nobody can add them to more (keeps their room list bounded). */
  perUserMax: number;
}

/** Conversations: the public room, DMs between friends, private groups run by their creator. */
export class RoomService {
  constructor(
    private rooms: RoomStore,
    private messages: MessageReader,
    private changes: Pick<MessageChangeReader, "unread">,
    private accounts: AccountStore,
    private social: SocialStore,
    private notifier: Notifier,
    private presence: PresenceStore,
    private activity: ActivityRecorder = NO_ACTIVITY,
    /** Unlimited when not given (tools that seed data); the server always passes the configured ones. */
    private quota: Quota<GroupLimits> | null = null,
  ) {}

  async ensurePublicRoom(): Promise<void> {
    await this.rooms.ensureRoom({ id: PUBLIC_ROOM_ID, kind: "public", name: "general", createdBy: null, createdAt: Date.now() });
  }

  async joinPublic(userId: string): Promise<void> {
    if (await this.rooms.addMember(PUBLIC_ROOM_ID, userId, Date.now())) this.activity.record("room.joined", userId, PUBLIC_ROOM_ID);
  }

  async isMember(roomId: string, userId: string): Promise<boolean> {
    return this.rooms.isMember(roomId, userId);
  }

  async assertMember(roomId: string, userId: string): Promise<void> {
    if (!(await this.rooms.isMember(roomId, userId))) fail("forbidden", "not a member of this room");
  }

  /**
   * Sending and typing: members only, and in a DM only while its two users are friends (a DM
   * between non-friends is read-only history).
   */
  async assertCanPost(roomId: string, userId: string): Promise<void> {
    await this.assertMember(roomId, userId);
    const peer = dmParticipants(roomId)?.find((id) => id !== userId);
    if (peer && !(await this.social.areFriends(userId, peer))) fail("forbidden", "you are no longer friends: this DM is read-only");
  }

  async memberIds(roomId: string): Promise<string[]> {
    return this.rooms.memberIds(roomId);
  }

  /**
   * One page of the user's rooms with their last message and unread count, most recent activity
   * first (last message, else creation). `after` is the `next` of the previous page; `roomIds` is
   * every room of the user, for subscribing a socket to all of them whatever the page size.
   */
  async page(userId: string, after: string | undefined, limit: number): Promise<RoomPage> {
    const start = after === undefined ? undefined : decodeCursor(after);
    const rooms = await this.rooms.roomsOf(userId);
    const latest = await this.messages.latest(rooms.map((r) => r.id));
    const ordered = rooms
      .map((room) => ({ room, key: [latest.get(room.id)?.createdAt ?? room.createdAt, room.id] as RoomCursor }))
      .sort((a, b) => compareCursors(a.key, b.key))
      .filter(({ key }) => !start || compareCursors(key, start) > 0);
    const slice = ordered.slice(0, limit);
    return {
      rooms: await this.summarize(userId, slice.map((r) => r.room), latest),
      next: ordered.length > limit ? encodeCursor(slice.at(-1)!.key) : null,
      roomIds: rooms.map((r) => r.id),
    };
  }

  async summary(userId: string, roomId: string): Promise<RoomSummary> {
    const rooms = (await this.rooms.roomsOf(userId)).filter((r) => r.id === roomId);
    if (rooms.length === 0) fail("forbidden", "not a member of this room");
    return (await this.summarize(userId, rooms, await this.messages.latest([roomId])))[0]!;
  }

  /** Who has read how far in a room (the member asking must belong to it); at most 100 readers, furthest first. */
  async readers(userId: string, roomId: string): Promise<RoomReader[]> {
    await this.assertMember(roomId, userId);
    const cursors = await this.rooms.readCursors(roomId, 100);
    const users = await this.accounts.usersByIds([...cursors.keys()]);
    const names = new Map(users.map((u) => [u.id, u.username]));
    return [...cursors].map(([id, seq]) => ({ userId: id, username: names.get(id) ?? "", seq }));
  }

  /** Socket `join`: members re-join; anyone may join the public room. */
  async join(me: Principal, roomId: string): Promise<RoomSummary> {
    if (!(await this.rooms.isMember(roomId, me.userId))) {
      const room = await this.rooms.room(roomId);
      if (room?.kind !== "public") fail("forbidden", "not a member of this room");
      if (await this.addAndAnnounce(roomId, me.userId, me.username)) this.activity.record("room.joined", me.userId, roomId);
    }
    return this.summary(me.userId, roomId);
  }

  async openDm(me: Principal, otherId: string): Promise<RoomSummary> {
    if (otherId === me.userId) fail("bad_request", "cannot open a DM with yourself");
    if (!(await this.social.areFriends(me.userId, otherId))) fail("forbidden", "DMs are only between friends");
    const id = dmRoomId(me.userId, otherId);
    await this.rooms.ensureRoom({ id, kind: "dm", name: "", createdBy: null, createdAt: Date.now() });
    let opened = false;
    for (const userId of [me.userId, otherId]) {
      if (await this.rooms.addMember(id, userId, Date.now())) {
        opened = true;
        this.announceRoomTo(userId, id);
      }
    }
    if (opened) this.activity.record("dm.opened", me.userId, id, { peer: otherId });
    return this.summary(me.userId, id);
  }

  async createGroup(me: Principal, name: string, memberIds: string[]): Promise<RoomSummary> {
    const others = [...new Set(memberIds)].filter((id) => id !== me.userId);
    for (const id of others) await this.assertFriendOf(me.userId, id);
    await this.assertGroupQuota(me.userId, others);
    const room: Room = { id: `g:${newId()}`, kind: "group", name, createdBy: me.userId, createdAt: Date.now() };
    await this.rooms.ensureRoom(room);
    await this.rooms.addMember(room.id, me.userId, Date.now());
    this.notifier.membership(me.userId, room.id, "add");
    for (const id of others) {
      await this.rooms.addMember(room.id, id, Date.now());
      this.announceRoomTo(id, room.id);
    }
    this.activity.record("group.created", me.userId, room.id);
    return this.summary(me.userId, room.id);
  }

  /** The members of a room the caller belongs to, with their presence as of now. */
  async members(me: Principal, roomId: string): Promise<Friend[]> {
    await this.assertMember(roomId, me.userId);
    const ids = await this.rooms.memberIds(roomId);
    const [users, online] = await Promise.all([this.accounts.usersByIds(ids), this.presence.online(ids)]);
    return users
      .map((u) => ({ id: u.id, username: u.username, online: online.has(u.id), lastSeen: u.lastSeen }))
      .sort((a, b) => a.username.localeCompare(b.username));
  }

  async rename(me: Principal, roomId: string, name: string): Promise<void> {
    await this.assertCreator(me, roomId);
    await this.rooms.rename(roomId, name);
    this.notifier.toRoom(roomId, { type: "room.renamed", room: roomId, name });
  }

  async addMember(me: Principal, roomId: string, userId: string): Promise<void> {
    await this.assertCreator(me, roomId);
    await this.assertFriendOf(me.userId, userId);
    const user = await this.accounts.userById(userId);
    if (!user) return fail("not_found", "no such user");
    if (await this.rooms.isMember(roomId, userId)) fail("conflict", "already a member");
    await this.assertMemberQuota(roomId, userId, me.userId);
    if (!(await this.addAndAnnounce(roomId, userId, user.username))) fail("conflict", "already a member");
    this.activity.record("group.changed", me.userId, roomId, { op: "member_added", member: userId });
  }

  async removeMember(me: Principal, roomId: string, userId: string): Promise<void> {
    await this.assertCreator(me, roomId);
    if (userId === me.userId) fail("bad_request", "the creator leaves with POST /leave");
    const user = await this.accounts.userById(userId);
    if (!(await this.removeAndAnnounce(roomId, userId, user?.username ?? ""))) fail("not_found", "not a member");
    this.activity.record("group.changed", me.userId, roomId, { op: "member_removed", member: userId });
  }

  async leave(me: Principal, roomId: string): Promise<void> {
    const room = await this.rooms.room(roomId);
    if (!room) return fail("not_found", "no such room");
    if (room.kind === "dm") fail("bad_request", "a DM cannot be left");
    if (!(await this.removeAndAnnounce(roomId, me.userId, me.username))) fail("forbidden", "not a member of this room");
    this.activity.record("room.left", me.userId, roomId);
  }

  private async addAndAnnounce(roomId: string, userId: string, username: string): Promise<boolean> {
    if (!(await this.rooms.addMember(roomId, userId, Date.now()))) return false;
    this.notifier.toRoom(roomId, { type: "member", room: roomId, userId, username, op: "joined" });
    this.announceRoomTo(userId, roomId);
    return true;
  }

  private async removeAndAnnounce(roomId: string, userId: string, username: string): Promise<boolean> {
    if (!(await this.rooms.removeMember(roomId, userId))) return false;
    this.notifier.membership(userId, roomId, "remove");
    this.notifier.toUser(userId, { type: "room.removed", room: roomId });
    this.notifier.toRoom(roomId, { type: "member", room: roomId, userId, username, op: "left" });
    return true;
  }

  private announceRoomTo(userId: string, roomId: string) {
    this.notifier.membership(userId, roomId, "add");
    void this.summary(userId, roomId).then(
      (room) => this.notifier.toUser(userId, { type: "room.added", room }),
      () => {},
    );
  }

  private async assertCreator(me: Principal, roomId: string) {
    const room = await this.rooms.room(roomId);
    if (!room) return fail("not_found", "no such room");
    if (room.kind !== "group" || room.createdBy !== me.userId) fail("forbidden", "only the group's creator can do this");
  }

  /** A new group of `creator` with `others`: group size, groups created (in all and this hour), everyone's group count. */
  private async assertGroupQuota(creator: string, others: string[]) {
    if (!this.quota) return;
    const { limiter, limits } = this.quota;
    if (others.length + 1 > limits.membersMax) fail("conflict", `a group has at most ${limits.membersMax} members`);
    if ((await this.rooms.groupsCreatedBy(creator)) >= limits.createdMax) {
      fail("conflict", `you have created the most groups allowed (${limits.createdMax})`);
    }
    for (const id of [creator, ...others]) await this.assertRoomForOneMoreGroup(id, creator, limits);
    await spendHourly(limiter, `group-create:${creator}`, limits.createdPerHour, "creating groups too fast, try again later");
  }

  /** `userId` joins `roomId`, added by `by`: the group's size and the user's group count. */
  private async assertMemberQuota(roomId: string, userId: string, by: string) {
    if (!this.quota) return;
    const { limits } = this.quota;
    if ((await this.rooms.memberIds(roomId)).length >= limits.membersMax) fail("conflict", `the group is full (${limits.membersMax} members)`);
    await this.assertRoomForOneMoreGroup(userId, by, limits);
  }

  private async assertRoomForOneMoreGroup(userId: string, by: string, limits: GroupLimits) {
    const groups = (await this.rooms.roomsOf(userId)).filter((r) => r.kind === "group").length;
    if (groups < limits.perUserMax) return;
    fail("conflict", userId === by ? `you are in the most groups allowed (${limits.perUserMax})` : "that user is in too many groups");
  }

  private async assertFriendOf(userId: string, otherId: string) {
    if (!(await this.social.areFriends(userId, otherId))) fail("forbidden", "you can only add friends");
  }

  private async summarize(userId: string, rooms: MemberRoom[], latest: Map<string, ChatMessage>): Promise<RoomSummary[]> {
    const peerIds = rooms.map((r) => dmParticipants(r.id)?.find((id) => id !== userId)).filter((x): x is string => !!x);
    const [users, friends, unread] = await Promise.all([
      this.accounts.usersByIds(peerIds),
      peerIds.length ? this.social.friendIds(userId).then((ids) => new Set(ids)) : new Set<string>(),
      this.changes.unread(userId, new Map(rooms.map((r) => [r.id, r.lastReadSeq]))),
    ]);
    const peers = new Map(users.map((u) => [u.id, u.username]));
    return rooms
      .map((r) => {
        const last = latest.get(r.id) ?? null;
        // A storage that counts no changes leaves the room out: every seq is then a message.
        const counted = unread.get(r.id);
        const lastSeq = counted?.lastSeq ?? last?.seq ?? 0;
        const peerId = dmParticipants(r.id)?.find((id) => id !== userId);
        const summary: RoomSummary = {
          id: r.id,
          kind: r.kind,
          name: peerId ? (peers.get(peerId) ?? "") : r.name,
          lastSeq,
          lastReadSeq: Math.min(r.lastReadSeq, lastSeq),
          unread: counted?.messages ?? Math.max(0, lastSeq - r.lastReadSeq),
          lastMessage: last,
          createdBy: r.createdBy,
        };
        if (counted) summary.mentions = counted.mentions;
        if (peerId) summary.peer = { id: peerId, username: peers.get(peerId) ?? "" };
        if (peerId && !friends.has(peerId)) summary.readOnly = true;
        return summary;
      });
  }
}

export interface RoomPage {
  rooms: RoomSummary[];
  /** Pass as `after` for the next page; null on the last one. */
  next: string | null;
  roomIds: string[];
}

/** Where a page ends: (activity time, room id), newest first. Opaque to clients (base64url JSON). */
type RoomCursor = [number, string];
const roomCursorSchema = z.tuple([z.number(), z.string()]);

const compareCursors = (a: RoomCursor, b: RoomCursor) => b[0] - a[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0);
const encodeCursor = (c: RoomCursor) => Buffer.from(JSON.stringify(c)).toString("base64url");

function decodeCursor(raw: string): RoomCursor {
  try {
    const parsed = roomCursorSchema.safeParse(JSON.parse(Buffer.from(raw, "base64url").toString("utf8")));
    if (parsed.success) return parsed.data;
  } catch {
    // not JSON: same answer as a wrong shape
  }
  return fail("bad_request", "invalid room page cursor");
}
