import { z } from "zod";
import { ERROR_CODES } from "./errors.ts";
import { emojiSchema } from "./emoji.ts";

/** Limits shared by client and server so both reject the same input. */
export const LIMITS = {
  bodyMax: 4000,
  clientIdMax: 64,
  historyPageMax: 100,
  /** Rooms per page of the room list (`rooms` frame, GET /api/conversations). */
  roomsPageMax: 200,
  roomIdMax: 80,
  /** Distinct emoji one user may put on one message. */
  reactionsPerUser: 20,
  attachmentsPerMessage: 10,
  /** Quoted text of a reply, in characters. */
  replySnippetMax: 200,
  messageIdMax: 64,
} as const;

export const roomId = z.string().min(1).max(LIMITS.roomIdMax).regex(/^[A-Za-z0-9:_\-]+$/, "invalid room id");
export const userId = z.string().min(1).max(64);
export const seq = z.number().int().nonnegative();
const ref = z.string().min(1).max(64);
/** An opaque room-list cursor (the `next` of the previous page). */
export const roomsCursor = z.string().min(1).max(200);

export const username = z
  .string()
  .min(3)
  .max(32)
  .regex(/^[a-z0-9_]+$/, "lowercase letters, digits and _ only");
export const password = z.string().min(8).max(128);

/** Ids the server makes (messages, uploads: UUIDs); anything else names nothing, and never reaches a store. */
export const messageId = z.string().min(1).max(LIMITS.messageIdMax).regex(/^[\w-]+$/, "letters, digits, _ and - only");

/** One reaction on a message: an emoji (see emoji.ts) and everyone who reacted with it, first reactor first. */
export const reactionSchema = z.object({ emoji: z.string(), users: z.array(z.string()) });
export type Reaction = z.infer<typeof reactionSchema>;

/** What a reply shows of the message it answers, as that message is now (it follows edits and deletion). */
export const replyRefSchema = z.object({
  id: z.string(),
  seq: z.number().int().positive(),
  from: z.string(),
  fromName: z.string(),
  /** The first LIMITS.replySnippetMax characters of its current body; "" once it is deleted. */
  snippet: z.string(),
  deleted: z.boolean().optional(),
});
export type ReplyRef = z.infer<typeof replyRefSchema>;

/** A file a message carries. The type is detected from the content by the server, never taken from the client. */
export const attachmentSchema = z.object({
  id: z.string(),
  name: z.string(),
  size: z.number().int().nonnegative(),
  /** Detected MIME type. */
  type: z.string(),
  /** Images only: dimensions of the original and of the preview the client reserves space for. */
  image: z
    .object({
      width: z.number().int().positive(),
      height: z.number().int().positive(),
      previewWidth: z.number().int().positive(),
      previewHeight: z.number().int().positive(),
    })
    .optional(),
});
export type Attachment = z.infer<typeof attachmentSchema>;

/**
 * A message in its current state. The lifecycle fields are absent when unused, so a plain message
 * looks exactly as before they existed.
 */
export const messageSchema = z.object({
  id: z.string(),
  room: z.string(),
  seq: z.number().int().positive(),
  from: z.string(),
  fromName: z.string(),
  body: z.string(),
  createdAt: z.number().int(),
  clientId: z.string(),
  /** Set on bot replies whose stream was cut or failed: the text is what arrived. */
  incomplete: z.boolean().optional(),
  /** The message it answers (same room). */
  replyTo: replyRefSchema.optional(),
  /** Ids of the users its body mentions (`@username`). */
  mentions: z.array(z.string()).optional(),
  attachments: z.array(attachmentSchema).optional(),
  /** Set once edited: when the current body was written. */
  editedAt: z.number().int().optional(),
  /** A tombstone: body "" and no attachments, mentions, reactions or reply; it keeps its seq. */
  deleted: z.boolean().optional(),
  reactions: z.array(reactionSchema).optional(),
  /** The seq of the last change applied to it (edit, delete, reaction); absent while it has none. */
  rev: z.number().int().positive().optional(),
});
export type ChatMessage = z.infer<typeof messageSchema>;

export const roomKind = z.enum(["public", "group", "dm"]);
export type RoomKind = z.infer<typeof roomKind>;

export const roomSummarySchema = z.object({
  id: z.string(),
  kind: roomKind,
  name: z.string(),
  lastSeq: z.number().int().nonnegative(),
  lastReadSeq: z.number().int().nonnegative(),
  unread: z.number().int().nonnegative(),
  lastMessage: messageSchema.nullable(),
  /** For DMs: the other participant. */
  peer: z.object({ id: z.string(), username: z.string() }).optional(),
  createdBy: z.string().nullable(),
  /** A DM whose users are no longer friends: history stays readable, nobody can send or type. */
  readOnly: z.boolean().optional(),
  /** Of the unread messages, those that mention the user. */
  mentions: z.number().int().nonnegative().optional(),
});
export type RoomSummary = z.infer<typeof roomSummarySchema>;

// ---------------------------------------------------------------- client -> server
export const clientFrameSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("join"), ref: ref.optional(), room: roomId }),
  z.object({ type: z.literal("leave"), ref: ref.optional(), room: roomId }),
  z.object({
    type: z.literal("send"),
    ref: ref.optional(),
    room: roomId,
    /** May be empty only when the message carries attachments. */
    body: z.string().max(LIMITS.bodyMax),
    clientId: z.string().min(1).max(LIMITS.clientIdMax),
    /** The id of the message this one answers, in the same room. */
    replyTo: messageId.optional(),
    /** Ids of uploads (POST /api/files) of the sender, not yet sent. */
    attachments: z.array(messageId).min(1).max(LIMITS.attachmentsPerMessage).optional(),
  }),
  z.object({
    type: z.literal("edit"),
    ref: ref.optional(),
    room: roomId,
    id: messageId,
    body: z.string().min(1).max(LIMITS.bodyMax),
    /** Idempotency key like a send's: a retried edit is applied once. */
    clientId: z.string().min(1).max(LIMITS.clientIdMax),
  }),
  z.object({ type: z.literal("delete"), ref: ref.optional(), room: roomId, id: messageId }),
  z.object({ type: z.literal("react"), ref: ref.optional(), room: roomId, id: messageId, emoji: emojiSchema, on: z.boolean() }),
  z.object({ type: z.literal("typing"), ref: ref.optional(), room: roomId, on: z.boolean() }),
  z.object({ type: z.literal("dm.open"), ref: ref.optional(), userId }),
  z.object({
    type: z.literal("history"),
    ref: ref.optional(),
    room: roomId,
    before: seq.optional(),
    /** Instead of `before`: the page around this seq (it, older and newer messages). */
    around: z.number().int().positive().optional(),
    limit: z.number().int().min(1).max(LIMITS.historyPageMax).optional(),
  }),
  z.object({
    type: z.literal("resume"),
    ref: ref.optional(),
    room: roomId,
    afterSeq: seq,
    limit: z.number().int().min(1).max(LIMITS.historyPageMax * 5).optional(),
  }),
  z.object({ type: z.literal("read"), ref: ref.optional(), room: roomId, seq }),
  z.object({ type: z.literal("ping"), ref: ref.optional() }),
  z.object({
    type: z.literal("rooms"),
    ref: ref.optional(),
    after: roomsCursor.optional(),
    limit: z.number().int().min(1).max(LIMITS.roomsPageMax).optional(),
  }),
]);
export type ClientFrame = z.infer<typeof clientFrameSchema>;
export type ClientFrameType = ClientFrame["type"];

// ---------------------------------------------------------------- server -> client
const presenceStatus = z.enum(["online", "offline"]);

export const serverFrameSchema = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("ready"),
    user: z.object({ id: z.string(), username: z.string() }),
    /** The most recent rooms (READY_ROOMS_MAX); the socket receives all of them. */
    rooms: z.array(roomSummarySchema),
    /** Set when the user has more rooms: ask with a `rooms` frame `after` it. */
    roomsNext: z.string().nullable().optional(),
    heartbeatMs: z.number().int(),
  }),
  z.object({ type: z.literal("rooms"), ref: z.string().optional(), rooms: z.array(roomSummarySchema), next: z.string().nullable() }),
  messageSchema.extend({ type: z.literal("message") }),
  /** For a send: the message's id and seq. For an edit, delete or react: the target's id and the change's seq (a no-op: the target's rev, duplicate true). */
  z.object({ type: z.literal("ack"), ref: z.string(), room: z.string(), id: z.string(), seq: z.number().int(), duplicate: z.boolean() }),
  /**
   * Changes to existing messages: the events fromSeq..toSeq of the room (edits, deletions,
   * reactions; no new message among them) and the resulting state of each message they changed.
   * One change is one frame with fromSeq = toSeq; a reaction storm is coalesced into fewer frames.
   */
  z.object({ type: z.literal("updated"), room: z.string(), fromSeq: z.number().int().positive(), toSeq: z.number().int().positive(), messages: z.array(messageSchema) }),
  z.object({ type: z.literal("joined"), ref: z.string().optional(), room: roomSummarySchema }),
  z.object({ type: z.literal("left"), ref: z.string().optional(), room: z.string() }),
  z.object({ type: z.literal("dm.opened"), ref: z.string().optional(), room: roomSummarySchema }),
  z.object({
    type: z.literal("history"),
    ref: z.string().optional(),
    room: z.string(),
    /** Newest first. */
    messages: z.array(messageSchema),
    hasMore: z.boolean(),
    /** Only for `around`: newer messages follow the page. */
    hasNewer: z.boolean().optional(),
  }),
  z.object({
    type: z.literal("resumed"),
    ref: z.string().optional(),
    room: z.string(),
    /** Oldest first, starting right after the requested seq; in their current state. */
    messages: z.array(messageSchema),
    /** Older messages (seq <= afterSeq) changed after afterSeq, in their current state, by rev. */
    updates: z.array(messageSchema).optional(),
    hasMore: z.boolean(),
    lastSeq: z.number().int().nonnegative(),
  }),
  z.object({ type: z.literal("typing"), room: z.string(), userId: z.string(), username: z.string(), on: z.boolean() }),
  z.object({ type: z.literal("presence"), userId: z.string(), status: presenceStatus, lastSeen: z.number().int().nullable() }),
  z.object({
    type: z.literal("member"),
    room: z.string(),
    userId: z.string(),
    username: z.string(),
    op: z.enum(["joined", "left"]),
  }),
  z.object({ type: z.literal("room.added"), room: roomSummarySchema }),
  z.object({ type: z.literal("room.removed"), room: z.string() }),
  z.object({ type: z.literal("room.renamed"), room: z.string(), name: z.string() }),
  z.object({ type: z.literal("read"), ref: z.string().optional(), room: z.string(), userId: z.string(), seq: z.number().int() }),
  z.object({ type: z.literal("friend"), userId: z.string(), username: z.string(), op: z.enum(["requested", "accepted", "declined", "cancelled", "removed"]) }),
  z.object({ type: z.literal("ai.start"), room: z.string(), streamId: z.string(), botId: z.string(), botName: z.string(), replyTo: z.string() }),
  z.object({ type: z.literal("ai.delta"), room: z.string(), streamId: z.string(), index: z.number().int(), text: z.string() }),
  z.object({
    type: z.literal("ai.end"),
    room: z.string(),
    streamId: z.string(),
    status: z.enum(["complete", "incomplete", "failed"]),
    messageId: z.string().nullable(),
    seq: z.number().int().nullable(),
    error: z.string().optional(),
  }),
  z.object({ type: z.literal("pong"), ref: z.string().optional(), ts: z.number() }),
  z.object({ type: z.literal("error"), ref: z.string().optional(), code: z.enum(ERROR_CODES), message: z.string() }),
]);
export type ServerFrame = z.infer<typeof serverFrameSchema>;
export type ServerFrameOf<T extends ServerFrame["type"]> = Extract<ServerFrame, { type: T }>;
