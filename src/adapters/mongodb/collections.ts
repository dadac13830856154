/**
 * Document shapes, collections and indexes of the MongoDB storage. Runs on a real MongoDB and on
 * MongoDB-wire servers such as FerretDB, so it uses only plain unique/compound indexes (no TTL,
 * partial or text indexes) and never needs a transaction: every write is idempotent instead.
 * Free of anything that cannot run inside a Bun Worker (the Kafka persistence worker imports it).
 */
import { MongoBulkWriteError, MongoServerError, type Collection, type Db, type IndexDescription } from "mongodb";
import type { ChatMessage, RoomKind } from "../../domain/model.ts";
import type { Attachment, Reaction } from "../../protocol/index.ts";
import type { StoredMessage } from "../../domain/message-state.ts";

export interface UserDoc {
  _id: string;
  username: string;
  passwordHash: string;
  createdAt: number;
  lastSeen: number | null;
}
export interface SessionDoc {
  _id: string;
  userId: string;
  createdAt: number;
  revokedAt: number | null;
}
export interface RefreshTokenDoc {
  _id: string; // jti
  sessionId: string;
  expiresAt: number;
}
/**
 * A refresh token's use, claimed by inserting it: the unique _id makes exactly one claim win on
 * every server (FerretDB applies conditional updates as read-then-write, so they cannot be a lock).
 */
export interface RefreshTokenUseDoc {
  _id: string; // jti
  usedAt: number;
}
export interface FriendRequestDoc {
  from: string;
  to: string;
  createdAt: number;
}
/** One document per direction, so a user's friends are one index range (as in SQLite). */
export interface FriendshipDoc {
  user: string;
  friend: string;
  createdAt: number;
}
export interface RoomDoc {
  _id: string;
  kind: RoomKind;
  name: string;
  /** Absent instead of null on some MongoDB-wire servers (FerretDB drops nulls written by $setOnInsert). */
  createdBy?: string | null;
  createdAt: number;
}
export interface MembershipDoc {
  room: string;
  user: string;
  joinedAt: number;
  lastReadSeq: number;
}
export interface MessageDoc {
  _id: string; // message id: the key that makes replays idempotent
  room: string;
  seq: number;
  from: string;
  fromName: string;
  body: string;
  clientId: string;
  createdAt: number;
  incomplete?: boolean;
  /** The id of the message it answers; readers resolve the ReplyRef from that message as it is now. */
  replyTo?: string;
  mentions?: string[];
  attachments?: Attachment[];
  editedAt?: number;
  /** A tombstone: the fields above that carried content are gone from the document, not hidden. */
  deleted?: boolean;
  reactions?: Reaction[];
  /** The seq of the last change applied (see MongoMessageStore): a replayed older change never overwrites a newer state. */
  rev?: number;
  /**
   * Set on a change's slot in the room's stream (MongoDB without Kafka, see MongoMessageChangeLog):
   * not a message; readers skip it (NOT_EVENT). An edit's slot keeps its resulting state (to finish
   * a retried edit) until the message is deleted.
   */
  event?: { message: string; state?: MessageDoc };
}

/** The filter that keeps changes' slots out of message reads. */
export const NOT_EVENT = { event: { $exists: false } } as const;

export interface Collections {
  users: Collection<UserDoc>;
  sessions: Collection<SessionDoc>;
  refreshTokens: Collection<RefreshTokenDoc>;
  refreshTokenUses: Collection<RefreshTokenUseDoc>;
  friendRequests: Collection<FriendRequestDoc>;
  friendships: Collection<FriendshipDoc>;
  rooms: Collection<RoomDoc>;
  memberships: Collection<MembershipDoc>;
  messages: Collection<MessageDoc>;
}

export const collections = (db: Db): Collections => ({
  users: db.collection<UserDoc>("users"),
  sessions: db.collection<SessionDoc>("sessions"),
  refreshTokens: db.collection<RefreshTokenDoc>("refresh_tokens"),
  refreshTokenUses: db.collection<RefreshTokenUseDoc>("refresh_token_uses"),
  friendRequests: db.collection<FriendRequestDoc>("friend_requests"),
  friendships: db.collection<FriendshipDoc>("friendships"),
  rooms: db.collection<RoomDoc>("rooms"),
  memberships: db.collection<MembershipDoc>("memberships"),
  messages: db.collection<MessageDoc>("messages"),
});

/** The indexes the queries need; the unique ones are what make concurrent writes safe. */
const INDEXES: Record<keyof Collections, IndexDescription[]> = {
  users: [{ key: { username: 1 }, name: "username_unique", unique: true }],
  sessions: [],
  refreshTokens: [],
  refreshTokenUses: [],
  friendRequests: [
    { key: { from: 1, to: 1 }, name: "from_to_unique", unique: true },
    { key: { to: 1 }, name: "to" },
  ],
  friendships: [{ key: { user: 1, friend: 1 }, name: "user_friend_unique", unique: true }],
  rooms: [{ key: { createdBy: 1, kind: 1 }, name: "created_by" }],
  memberships: [
    { key: { room: 1, user: 1 }, name: "room_user_unique", unique: true },
    { key: { user: 1 }, name: "user" },
  ],
  messages: [
    // Gap-free seq across instances rests on this index: two writers can never take the same seq.
    { key: { room: 1, seq: 1 }, name: "room_seq_unique", unique: true },
    // Idempotent sends: a clientId is unique per sender and room.
    { key: { from: 1, room: 1, clientId: 1 }, name: "from_room_client_unique", unique: true },
    // `resume` asks which older messages changed after a seq (MessageChangeReader.changedAfter).
    { key: { room: 1, rev: 1 }, name: "room_rev" },
  ],
};

/** Indexes of earlier releases that now refuse valid writes: dropped once their replacement exists. */
const RETIRED_INDEXES: Partial<Record<keyof Collections, string[]>> = {
  // Made a clientId unique per sender across rooms (replaced by from_room_client_unique).
  messages: ["from_client_unique"],
};

/**
 * Creates the missing indexes, one per command: FerretDB 1.24 drops the connection when a
 * multi-index createIndexes names indexes that already exist.
 */
export async function ensureIndexes(db: Db): Promise<void> {
  const cols = collections(db);
  for (const [name, specs] of Object.entries(INDEXES) as [keyof Collections, IndexDescription[]][]) {
    if (specs.length === 0) continue;
    const existing = new Set(
      (await cols[name].listIndexes().toArray().catch(() => [])).map((i: { name?: string }) => i.name),
    );
    for (const spec of specs) if (!existing.has(spec.name)) await cols[name].createIndexes([spec]);
    for (const retired of RETIRED_INDEXES[name] ?? []) if (existing.has(retired)) await cols[name].dropIndex(retired);
  }
}

const DUPLICATE_KEY = 11000;

/** True for a unique-index violation (from a single write or every failure of a bulk write). */
export function isDuplicateKey(err: unknown): boolean {
  if (err instanceof MongoBulkWriteError) {
    const errors = err.writeErrors;
    const list = Array.isArray(errors) ? errors : [errors];
    return list.length > 0 && list.every((e) => e.code === DUPLICATE_KEY);
  }
  return err instanceof MongoServerError && err.code === DUPLICATE_KEY;
}

/** The optional lifecycle fields, copied only when present (a plain message stays as small as before). */
const OPTIONAL_FIELDS = ["incomplete", "mentions", "attachments", "editedAt", "deleted", "reactions", "rev"] as const;

function copyOptional<T extends object>(from: object, to: T): T {
  const src = from as Record<string, unknown>;
  for (const f of OPTIONAL_FIELDS) {
    const v = src[f];
    if (v === undefined || v === null || v === false || (Array.isArray(v) && v.length === 0)) continue;
    (to as Record<string, unknown>)[f] = v;
  }
  return to;
}

/** The one message <-> document mapping (the log, the store, the readers and the export all use it). */
export function messageToDoc(m: StoredMessage): MessageDoc {
  const doc: MessageDoc = { _id: m.id, room: m.room, seq: m.seq, from: m.from, fromName: m.fromName, body: m.body, clientId: m.clientId, createdAt: m.createdAt };
  const replyTo = m.deleted ? undefined : (m.replyToId ?? m.replyTo?.id);
  if (replyTo) doc.replyTo = replyTo;
  return copyOptional(m, doc);
}

/** A reply comes back with `replyToId`: the reader resolves it (withReplies). */
export function docToMessage(d: MessageDoc): StoredMessage {
  const m: StoredMessage = { id: d._id, room: d.room, seq: d.seq, from: d.from, fromName: d.fromName, body: d.body, createdAt: d.createdAt, clientId: d.clientId };
  if (d.replyTo) m.replyToId = d.replyTo;
  return copyOptional(d, m);
}

/**
 * For message writes: acknowledged by a majority and journaled, so an acked message survives a
 * primary crash. A standalone server treats majority as itself.
 */
export const DURABLE_WRITE = { writeConcern: { w: "majority", journal: true } } as const;
