/** Search latency over HTTP: the fixed query mix, one request at a time, from a member of every room searched. */
import type { BenchQuery, QueryKind } from "./corpus.ts";

export interface LatencyResult {
  queries: number;
  p50Ms: number;
  p99Ms: number;
  queriesPerSec: number;
  /** Mean hits per query (page size caps it), so an empty index cannot pass for a fast one. */
  meanHits: number;
  p99ByKindMs: Partial<Record<QueryKind, number>>;
}

const quantile = (sorted: number[], q: number) => +sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!.toFixed(2);

export async function measureSearch(url: string, token: string, rooms: string[], mix: BenchQuery[], warmup: number): Promise<LatencyResult> {
  const run = async (query: BenchQuery) => {
    const params = new URLSearchParams({ q: query.q, ...(query.room !== undefined ? { room: rooms[query.room]! } : {}) });
    const t = performance.now();
    const res = await fetch(`${url}/api/search?${params}`, { headers: { authorization: `Bearer ${token}` } });
    const json = (await res.json()) as { hits?: unknown[]; error?: { code: string } };
    const ms = performance.now() - t;
    if (!res.ok || !json.hits) throw new Error(`search ${params}: ${res.status} ${json.error?.code ?? ""}`);
    return { ms, hits: json.hits.length };
  };
  for (const q of mix.slice(0, warmup)) await run(q);
  const times: { kind: QueryKind; ms: number }[] = [];
  let hits = 0;
  const started = performance.now();
  for (const q of mix) {
    const r = await run(q);
    times.push({ kind: q.kind, ms: r.ms });
    hits += r.hits;
  }
  const secs = (performance.now() - started) / 1000;
  const sorted = times.map((t) => t.ms).sort((a, b) => a - b);
  const byKind: Partial<Record<QueryKind, number>> = {};
  for (const kind of new Set(mix.map((q) => q.kind))) byKind[kind] = quantile(times.filter((t) => t.kind === kind).map((t) => t.ms).sort((a, b) => a - b), 0.99);
  return {
    queries: mix.length,
    p50Ms: quantile(sorted, 0.5),
    p99Ms: quantile(sorted, 0.99),
    queriesPerSec: +(mix.length / secs).toFixed(1),
    meanHits: +(hits / mix.length).toFixed(1),
    p99ByKindMs: byKind,
  };
}
