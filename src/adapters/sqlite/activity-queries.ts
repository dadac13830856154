import type { Database } from "bun:sqlite";
import { buildReport, TOP_ROOMS, type ActivityAggregates } from "../../domain/analytics/report.ts";
import { DAY_MS, type AnalyticsWindow } from "../../domain/analytics/window.ts";
import type { ActivityEvent, AnalyticsReport } from "../../protocol/index.ts";

type P = { t: number; n: number };
type KeyCount<K> = { key: K; n: number };

/** Inserts (idempotent by event id) and the dashboard's SQL aggregations over the activity table. */
export function activityQueries(db: Database) {
  const q = {
    insert: db.query<unknown, [string, string, number, string | null, string | null, string, string]>(
      "INSERT OR IGNORE INTO activity (id, type, time, user_id, room_id, instance, details) VALUES (?, ?, ?, ?, ?, ?, ?)",
    ),
    prune: db.query<unknown, [number]>("DELETE FROM activity WHERE time < ?"),
    countPer: db.query<P, [number, number, string, number, number]>(
      "SELECT (time / ?) * ? AS t, count(*) AS n FROM activity WHERE type = ? AND time >= ? AND time < ? GROUP BY t",
    ),
    sendersPer: db.query<P, [number, number, number, number]>(
      `SELECT (time / ?) * ? AS t, count(DISTINCT user_id) AS n FROM activity
       WHERE type = 'message.sent' AND time >= ? AND time < ? GROUP BY t`,
    ),
    peakPer: db.query<P, [number, number, number, number]>(
      `SELECT t, sum(m) AS n FROM (
         SELECT (time / ?) * ? AS t, instance, max(json_extract(details, '$.open')) AS m FROM activity
         WHERE type IN ('socket.connected', 'socket.disconnected') AND time >= ? AND time < ? GROUP BY t, instance
       ) GROUP BY t`,
    ),
    senders: db.query<{ n: number }, [number, number]>(
      "SELECT count(DISTINCT user_id) AS n FROM activity WHERE type = 'message.sent' AND time >= ? AND time < ?",
    ),
    ai: db.query<{ answered: number; failed: number; avg: number | null; max: number | null }, [number, number]>(
      `SELECT count(*) FILTER (WHERE type = 'ai.answered') AS answered, count(*) FILTER (WHERE type = 'ai.failed') AS failed,
         avg(json_extract(details, '$.latencyMs')) AS avg, max(json_extract(details, '$.latencyMs')) AS max
       FROM activity WHERE type IN ('ai.answered', 'ai.failed') AND time >= ? AND time < ?`,
    ),
    topRooms: db.query<{ room: string; messages: number }, [number, number, number]>(
      `SELECT room_id AS room, count(*) AS messages FROM activity WHERE type = 'message.sent' AND time >= ? AND time < ?
       GROUP BY room_id ORDER BY messages DESC, room_id LIMIT ?`,
    ),
    byType: db.query<KeyCount<string>, [number, number]>(
      "SELECT type AS key, count(*) AS n FROM activity WHERE time >= ? AND time < ? GROUP BY type ORDER BY n DESC, key",
    ),
    rejected: db.query<KeyCount<string>, [number, number]>(
      `SELECT json_extract(details, '$.code') AS key, count(*) AS n FROM activity
       WHERE type = 'frame.rejected' AND time >= ? AND time < ? GROUP BY key ORDER BY n DESC, key`,
    ),
  };

  const insertMany = db.transaction((events: readonly ActivityEvent[]) => {
    for (const e of events) q.insert.run(e.id, e.type, e.time, e.user, e.room, e.instance, JSON.stringify(e.details));
  });

  return {
    insert: (events: readonly ActivityEvent[]) => insertMany.immediate(events),
    prune: (olderThan: number) => q.prune.run(olderThan),
    report(w: AnalyticsWindow): AnalyticsReport {
      const { from, to, bucketMs: b } = w;
      const count = (type: string) => q.countPer.all(b, b, type, from, to);
      const ai = q.ai.get(from, to)!;
      const aggregates: ActivityAggregates = {
        series: {
          messages: count("message.sent"),
          activeUsers: q.sendersPer.all(b, b, from, to),
          peakConnections: q.peakPer.all(b, b, from, to),
          signups: count("user.signed_up"),
          aiRequests: count("ai.asked"),
        },
        distinctSenders: {
          range: q.senders.get(from, to)!.n,
          last24h: q.senders.get(to - DAY_MS, to)!.n,
          last7d: q.senders.get(to - 7 * DAY_MS, to)!.n,
        },
        ai: { answered: ai.answered, failed: ai.failed, latencyMsAvg: ai.avg, latencyMsMax: ai.max },
        topRooms: q.topRooms.all(from, to, TOP_ROOMS),
        eventsByType: q.byType.all(from, to) as AnalyticsReport["eventsByType"],
        rejectedFrames: q.rejected.all(from, to) as AnalyticsReport["rejectedFrames"],
      };
      return buildReport(w, aggregates);
    },
  };
}
