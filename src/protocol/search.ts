import { z } from "zod";
import { ACTIVITY_TYPES } from "./activity.ts";
import { ERROR_CODES } from "./errors.ts";
import { messageSchema, roomId } from "./schemas.ts";

export const SEARCH_LIMITS = {
  queryMax: 200,
  termsMax: 8,
  /** Trigram matching: shorter terms cannot be matched and are ignored. */
  termMin: 3,
  pageMax: 50,
  pageDefault: 20,
} as const;

const time = z.coerce.number().int().nonnegative();

/** `GET /api/search` query string. */
export const searchQuerySchema = z.object({
  q: z.string().trim().min(1, "is empty").max(SEARCH_LIMITS.queryMax),
  room: roomId.optional(),
  from: z.string().min(1).max(64).optional(),
  /** Epoch ms, inclusive. */
  after: time.optional(),
  /** Epoch ms, exclusive. */
  before: time.optional(),
  limit: z.coerce.number().int().min(1).max(SEARCH_LIMITS.pageMax).default(SEARCH_LIMITS.pageDefault),
  cursor: z.string().min(1).max(200).optional(),
});
export type SearchQueryParams = z.infer<typeof searchQuerySchema>;

/** A matched part of the message body: UTF-16 offsets, `end` exclusive (render body.slice(start, end) highlighted). */
export const highlightSchema = z.object({ start: z.number().int().nonnegative(), end: z.number().int().positive() });
export type Highlight = z.infer<typeof highlightSchema>;

export const searchResponseSchema = z.object({
  hits: z.array(z.object({ message: messageSchema, highlights: z.array(highlightSchema) })),
  /** Pass as `cursor` (with the same query) for the next, older page; absent on the last page. */
  next: z.string().optional(),
});
export type SearchResponse = z.infer<typeof searchResponseSchema>;

export const ANALYTICS_RANGES = ["24h", "7d", "30d"] as const;
export type AnalyticsRange = (typeof ANALYTICS_RANGES)[number];
export const analyticsQuerySchema = z.object({ range: z.enum(ANALYTICS_RANGES).default("24h") });

const point = z.object({ t: z.number().int(), n: z.number() });
const counts = <K extends z.ZodType<string>>(key: K) => z.array(z.object({ key, n: z.number().int() }));

/** `GET /api/analytics`: series bucketed by hour (24h) or day (7d, 30d), bucket start in epoch ms. */
export const analyticsReportSchema = z.object({
  range: z.enum(ANALYTICS_RANGES),
  from: z.number().int(),
  to: z.number().int(),
  bucket: z.enum(["hour", "day"]),
  series: z.object({
    messages: z.array(point),
    /** Distinct senders per bucket. */
    activeUsers: z.array(point),
    /** Peak open sockets per bucket, summed over instances. */
    peakConnections: z.array(point),
    signups: z.array(point),
    aiRequests: z.array(point),
  }),
  totals: z.object({
    messages: z.number().int(),
    /** Distinct senders over the range. */
    activeUsers: z.number().int(),
    /** Distinct senders over the last 24 h / 7 days (whatever the range). */
    dau: z.number().int(),
    wau: z.number().int(),
    peakConnections: z.number().int(),
    signups: z.number().int(),
    aiRequests: z.number().int(),
    aiAnswered: z.number().int(),
    aiFailed: z.number().int(),
    /** Over answered and failed requests; null without any. */
    aiLatencyMsAvg: z.number().nullable(),
    aiLatencyMsMax: z.number().nullable(),
  }),
  topRooms: z.array(z.object({ room: z.string(), messages: z.number().int() })),
  eventsByType: counts(z.enum(ACTIVITY_TYPES)),
  rejectedFrames: counts(z.enum(ERROR_CODES)),
});
export type AnalyticsReport = z.infer<typeof analyticsReportSchema>;
