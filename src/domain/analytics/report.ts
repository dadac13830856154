import type { AnalyticsReport } from "../../protocol/index.ts";
import { fillSeries, type AnalyticsWindow } from "./window.ts";

type Point = { t: number; n: number };
type SeriesName = keyof AnalyticsReport["series"];

/** What an analytics adapter computes; the report's shape and derived totals are the same in every mode. */
export interface ActivityAggregates {
  /** Per bucket start; buckets without events may be left out. */
  series: Record<SeriesName, Point[]>;
  distinctSenders: { range: number; last24h: number; last7d: number };
  ai: { answered: number; failed: number; latencyMsAvg: number | null; latencyMsMax: number | null };
  topRooms: AnalyticsReport["topRooms"];
  eventsByType: AnalyticsReport["eventsByType"];
  rejectedFrames: AnalyticsReport["rejectedFrames"];
}

const sum = (points: Point[]) => points.reduce((s, p) => s + p.n, 0);

export function buildReport(w: AnalyticsWindow, a: ActivityAggregates): AnalyticsReport {
  const series = Object.fromEntries(
    Object.entries(a.series).map(([name, points]) => [name, fillSeries(w, points)]),
  ) as AnalyticsReport["series"];
  return {
    range: w.range,
    from: w.from,
    to: w.to,
    bucket: w.bucket,
    series,
    totals: {
      messages: sum(series.messages),
      activeUsers: a.distinctSenders.range,
      dau: a.distinctSenders.last24h,
      wau: a.distinctSenders.last7d,
      peakConnections: Math.max(0, ...series.peakConnections.map((p) => p.n)),
      signups: sum(series.signups),
      aiRequests: sum(series.aiRequests),
      aiAnswered: a.ai.answered,
      aiFailed: a.ai.failed,
      aiLatencyMsAvg: a.ai.latencyMsAvg,
      aiLatencyMsMax: a.ai.latencyMsMax,
    },
    topRooms: a.topRooms,
    eventsByType: a.eventsByType,
    rejectedFrames: a.rejectedFrames,
  };
}

export const TOP_ROOMS = 10;
