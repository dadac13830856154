import { z } from "zod";
import { LIMITS, password, roomSummarySchema, roomsCursor, username, messageSchema } from "./schemas.ts";

/** REST request bodies and responses, shared with the client. */
export const credentialsSchema = z.object({ username, password });
export const loginSchema = z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(128) });
export const friendRequestSchema = z.object({ username: z.string().min(1).max(64) });
export const createGroupSchema = z.object({
  name: z.string().trim().min(1).max(80),
  members: z.array(z.string().min(1).max(64)).max(100).default([]),
});
export const addMemberSchema = z.object({ userId: z.string().min(1).max(64) });
export const historyQuerySchema = z.object({
  before: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});
export const roomsQuerySchema = z.object({
  after: roomsCursor.optional(),
  limit: z.coerce.number().int().min(1).max(LIMITS.roomsPageMax).default(100),
});
export const userSearchSchema = z.object({ q: z.string().max(64).default("") });

export const publicUserSchema = z.object({ id: z.string(), username: z.string() });
export type PublicUser = z.infer<typeof publicUserSchema>;

export const friendSchema = publicUserSchema.extend({
  online: z.boolean(),
  lastSeen: z.number().int().nullable(),
});
export type Friend = z.infer<typeof friendSchema>;

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
});
export const friendRequestsResponseSchema = z.object({
  incoming: z.array(publicUserSchema.extend({ createdAt: z.number().int() })),
  outgoing: z.array(publicUserSchema.extend({ createdAt: z.number().int() })),
});
export const errorResponseSchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) });
