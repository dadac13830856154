import { z } from "zod";
import { LIMITS, password, roomId, roomSummarySchema, roomsCursor, username, messageSchema } from "./schemas.ts";

/** REST request bodies and responses, shared with the client. */
export const credentialsSchema = z.object({ username, password });
export const loginSchema = z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(128) });
export const friendRequestSchema = z.object({ username: z.string().min(1).max(64) });
export const createGroupSchema = z.object({
  name: z.string().trim().min(1).max(80),
  members: z.array(z.string().min(1).max(64)).max(100).default([]),
});
export const renameGroupSchema = createGroupSchema.pick({ name: true });
export const addMemberSchema = z.object({ userId: z.string().min(1).max(64) });
export const historyQuerySchema = z
  .object({
    before: z.coerce.number().int().positive().optional(),
    /** Opens the conversation at this seq: the page holds it with the messages on both sides. */
    around: z.coerce.number().int().positive().optional(),
    limit: z.coerce.number().int().min(1).max(100).default(50),
  })
  .refine((q) => q.before === undefined || q.around === undefined, { message: "use either before or around", path: ["around"] });
export const roomsQuerySchema = z.object({
  after: roomsCursor.optional(),
  limit: z.coerce.number().int().min(1).max(LIMITS.roomsPageMax).default(100),
});
/** POST /api/files?room=&name= (the body is the file's bytes); the name is sanitised by the server. */
export const uploadQuerySchema = z.object({ room: roomId, name: z.string().min(1).max(1024) });
export const userSearchSchema = z.object({ q: z.string().max(64).default("") });

export const publicUserSchema = z.object({ id: z.string(), username: z.string() });
export type PublicUser = z.infer<typeof publicUserSchema>;

export const friendSchema = publicUserSchema.extend({
  online: z.boolean(),
  lastSeen: z.number().int().nullable(),
});
export type Friend = z.infer<typeof friendSchema>;
/** A group member as the group's members see them (presence as of the request). */
export const groupMembersResponseSchema = z.object({ members: z.array(friendSchema) });

export const authResponseSchema = z.object({
  accessToken: z.string(),
  expiresIn: z.number().int(),
  user: publicUserSchema,
});
export type AuthResponse = z.infer<typeof authResponseSchema>;

export const ticketResponseSchema = z.object({ ticket: z.string(), expiresIn: z.number().int() });
/** Most recent first; `next` (null on the last page) goes into `?after=` for the next page. */
export const conversationsResponseSchema = z.object({ conversations: z.array(roomSummarySchema), next: z.string().nullable() });
export const messagesPageSchema = z.object({
  messages: z.array(messageSchema),
  /** Pass as `before` to get the next older page; null when there is none. */
  nextBefore: z.number().int().nullable(),
  /** With `around`: the newest seq of the page when newer messages follow (page on with WS `resume` from it), else null. */
  nextAfter: z.number().int().nullable().optional(),
});
export const roomReaderSchema = z.object({ userId: z.string(), username: z.string(), seq: z.number().int().positive() });
export type RoomReader = z.infer<typeof roomReaderSchema>;
/** `GET /api/conversations/:id/reads`: members' read cursors, furthest first (at most 100). */
export const roomReadsResponseSchema = z.object({ reads: z.array(roomReaderSchema) });
export const friendRequestsResponseSchema = z.object({
  incoming: z.array(publicUserSchema.extend({ createdAt: z.number().int() })),
  outgoing: z.array(publicUserSchema.extend({ createdAt: z.number().int() })),
});
export const errorResponseSchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) });
