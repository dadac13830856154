import type { Client } from "@elastic/elasticsearch";
import type { AggregationsAggregationContainer } from "@elastic/elasticsearch/lib/api/types";
import { buildReport, TOP_ROOMS, type ActivityAggregates } from "../../domain/analytics/report.ts";
import { analyticsWindow, DAY_MS } from "../../domain/analytics/window.ts";
import type { Analytics } from "../../ports/index.ts";
import type { AnalyticsRange, AnalyticsReport } from "../../protocol/index.ts";
import type { IndexNames } from "./indices.ts";

type Bucket = { key: number | string; doc_count: number; [sub: string]: unknown };
type Aggs = Record<string, { buckets?: Bucket[]; value?: number | null; doc_count?: number; [sub: string]: unknown }>;

const ofType = (type: string | string[], aggs: Record<string, AggregationsAggregationContainer>): AggregationsAggregationContainer => ({
  filter: Array.isArray(type) ? { terms: { type } } : { term: { type } },
  aggs,
});
const exact = 40_000; // cardinality is exact below this many distinct values

/** The dashboard's aggregations over the activity data stream (date_histogram, terms, cardinality). */
export class ElasticAnalytics implements Analytics {
  constructor(private client: Client, private names: IndexNames) {}

  async report(range: AnalyticsRange, now: number): Promise<AnalyticsReport> {
    const w = analyticsWindow(range, now);
    const histogram = (aggs: Record<string, AggregationsAggregationContainer> = {}): AggregationsAggregationContainer => ({
      date_histogram: { field: "@timestamp", fixed_interval: w.bucket === "hour" ? "1h" : "1d" },
      aggs,
    });
    const inWindow = (from: number) => ({ range: { "@timestamp": { gte: from, lt: now, format: "epoch_millis" } } });
    const [main, senders] = await Promise.all([
      this.client.search({
        index: this.names.activity,
        size: 0,
        query: inWindow(w.from),
        aggs: {
          messages: ofType("message.sent", {
            h: histogram({ users: { cardinality: { field: "user", precision_threshold: exact } } }),
            users: { cardinality: { field: "user", precision_threshold: exact } },
            rooms: { terms: { field: "room", size: TOP_ROOMS, order: [{ _count: "desc" }, { _key: "asc" }] } },
          }),
          signups: ofType("user.signed_up", { h: histogram() }),
          asked: ofType("ai.asked", { h: histogram() }),
          answers: ofType(["ai.answered", "ai.failed"], {
            types: { terms: { field: "type" } },
            avg: { avg: { field: "details.latencyMs" } },
            max: { max: { field: "details.latencyMs" } },
          }),
          sockets: ofType(["socket.connected", "socket.disconnected"], {
            h: histogram({ instances: { terms: { field: "instance", size: 1000 }, aggs: { open: { max: { field: "details.open" } } } } }),
          }),
          types: { terms: { field: "type", size: 100, order: [{ _count: "desc" }, { _key: "asc" }] } },
          rejected: ofType("frame.rejected", { codes: { terms: { field: "details.code", size: 100, order: [{ _count: "desc" }, { _key: "asc" }] } } }),
        },
      }),
      this.client.search({
        index: this.names.activity,
        size: 0,
        query: { bool: { filter: [inWindow(now - 7 * DAY_MS), { term: { type: "message.sent" } }] } },
        aggs: {
          day: { filter: inWindow(now - DAY_MS), aggs: { users: { cardinality: { field: "user", precision_threshold: exact } } } },
          week: { cardinality: { field: "user", precision_threshold: exact } },
        },
      }, { ignore: [404] }),
    ]);
    const a = (main.aggregations ?? {}) as Aggs;
    const s = (senders.aggregations ?? {}) as Aggs;
    const sub = (name: string) => (a[name] ?? {}) as Aggs;
    const buckets = (agg: unknown) => ((agg as { buckets?: Bucket[] } | undefined)?.buckets ?? []);
    const points = (name: string, n: (b: Bucket) => number = (b) => b.doc_count) =>
      buckets(sub(name).h).map((b) => ({ t: Number(b.key), n: n(b) }));
    const value = (agg: unknown) => (agg as { value?: number | null } | undefined)?.value ?? null;
    const answers = new Map(buckets(sub("answers").types).map((b) => [String(b.key), b.doc_count]));
    const aggregates: ActivityAggregates = {
      series: {
        messages: points("messages"),
        activeUsers: points("messages", (b) => value(b.users) ?? 0),
        peakConnections: points("sockets", (b) => buckets(b.instances).reduce((sum, i) => sum + (value(i.open) ?? 0), 0)),
        signups: points("signups"),
        aiRequests: points("asked"),
      },
      distinctSenders: {
        range: value(sub("messages").users) ?? 0,
        last24h: value((s.day as Aggs | undefined)?.users) ?? 0,
        last7d: value(s.week) ?? 0,
      },
      ai: { answered: answers.get("ai.answered") ?? 0, failed: answers.get("ai.failed") ?? 0, latencyMsAvg: value(sub("answers").avg), latencyMsMax: value(sub("answers").max) },
      topRooms: buckets(sub("messages").rooms).map((b) => ({ room: String(b.key), messages: b.doc_count })),
      eventsByType: buckets(a.types).map((b) => ({ key: String(b.key), n: b.doc_count })) as AnalyticsReport["eventsByType"],
      rejectedFrames: buckets(sub("rejected").codes).map((b) => ({ key: String(b.key), n: b.doc_count })) as AnalyticsReport["rejectedFrames"],
    };
    return buildReport(w, aggregates);
  }
}
