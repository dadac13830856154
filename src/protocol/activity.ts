import { z } from "zod";
import { ERROR_CODES } from "./errors.ts";

/** Every kind of activity event. Names are `<subject>.<verb>`; the list is closed so dashboards can rely on it. */
export const ACTIVITY_TYPES = [
  "user.signed_up",
  "user.logged_in",
  "user.logged_out",
  "user.login_failed",
  "socket.connected",
  "socket.disconnected",
  "room.joined",
  "room.left",
  "dm.opened",
  "group.created",
  "group.changed",
  "message.sent",
  "message.edited",
  "message.deleted",
  "reaction.added",
  "reaction.removed",
  "ai.asked",
  "ai.answered",
  "ai.failed",
  "friend.requested",
  "friend.accepted",
  "frame.rejected",
] as const;
export type ActivityType = (typeof ACTIVITY_TYPES)[number];

/**
 * Small typed facts about an event. Never message bodies, prompts, tokens or passwords: a message is
 * described by its id and length only.
 */
export const activityDetailsSchema = z
  .object({
    messageId: z.string().max(64),
    length: z.number().int().nonnegative(),
    latencyMs: z.number().nonnegative(),
    code: z.enum(ERROR_CODES),
    /** Open sockets on the emitting instance after a connect/disconnect (peak concurrency). */
    open: z.number().int().nonnegative(),
    /** group.changed: what changed, and whom it concerned. */
    op: z.enum(["member_added", "member_removed"]),
    member: z.string().max(64),
    /** friend.* : the other user. */
    peer: z.string().max(64),
  })
  .partial()
  .strict();
export type ActivityDetails = z.infer<typeof activityDetailsSchema>;

/** One activity event, as stored in the activity log and carried on the `chat.activity` topic. */
export const activityEventSchema = z.object({
  /** A UUIDv7: unique, time-ordered; the document id in every index, so replays never duplicate. */
  id: z.string().min(1).max(64),
  type: z.enum(ACTIVITY_TYPES),
  /** Epoch milliseconds. */
  time: z.number().int().nonnegative(),
  user: z.string().max(64).nullable(),
  room: z.string().max(80).nullable(),
  instance: z.string().max(64),
  details: activityDetailsSchema,
});
export type ActivityEvent = z.infer<typeof activityEventSchema>;
