/** The search section's results and their rendering (types only here: report.ts imports it without starting anything). */
import type { Sweep } from "../sweep.ts";
import type { IndexingResult } from "./indexing.ts";
import type { LatencyResult } from "./latency.ts";

export const SEARCH_MESSAGES = 100_000;
export const QUERIES = 400;

export interface SearchResults {
  messages: number;
  rooms: number;
  seedSeconds: number;
  embedded?: LatencyResult;
  elasticsearch?: LatencyResult & { seedSeconds: number };
  indexing?: IndexingResult;
  /** The same embedded fan-out sweep, ACTIVITY_LOG=on then off, on the same accounts and rooms. */
  activityFanout?: { on: Sweep; off: Sweep };
  notRun: Record<string, string>;
}

const ms = (r: LatencyResult | undefined) => (r ? `${r.p50Ms} / ${r.p99Ms}` : "not run");

/** A small table for the README, below the main one; every figure from the results. */
export function renderSearch(s: SearchResults, showLimit: (sweep: Sweep) => string): string {
  const lines = [
    `Search (issue 10): ${s.messages.toLocaleString("en-US")} messages in ${s.rooms} rooms, ${QUERIES} queries over HTTP one at a time (whole words, partial words, identifiers, URL pieces; half filtered to a room).`,
    "",
    "| figure | embedded (SQLite FTS5) | Elasticsearch |",
    "|---|---|---|",
    `| search latency p50 / p99 (ms) | ${ms(s.embedded)} | ${ms(s.elasticsearch)} |`,
    `| search queries/s (one client) | ${s.embedded?.queriesPerSec ?? "not run"} | ${s.elasticsearch?.queriesPerSec ?? "not run"} |`,
    `| mean hits per query (page-capped) | ${s.embedded?.meanHits ?? "–"} | ${s.elasticsearch?.meanHits ?? "–"} |`,
    `| indexing: activity events/s through Kafka into Elasticsearch | | ${s.indexing ? `${s.indexing.eventsPerSec.toLocaleString("en-US")} (${s.indexing.indexed} of ${s.indexing.events} in ${s.indexing.seconds} s${s.indexing.complete ? "" : ", deadline passed"}${s.indexing.parked ? `, ${s.indexing.parked} parked by the producer` : ""})` : (s.notRun.indexing ?? "not run")} |`,
    `| fan-out delivered msg/s, activity on → off (same run) | ${s.activityFanout ? `${showLimit(s.activityFanout.on)} → ${showLimit(s.activityFanout.off)}` : (s.notRun.activityFanout ?? "not run")} | |`,
  ];
  const notRun = Object.entries(s.notRun);
  if (notRun.length) lines.push("", ...notRun.map(([k, v]) => `- search ${k}: ${v}`));
  return lines.join("\n");
}
