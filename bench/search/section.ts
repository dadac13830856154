/**
 * The `search` section of `npm run bench` (issue 10): search latency over 100,000 seeded messages,
 * embedded (SQLite FTS5) and Elasticsearch; indexing throughput through Kafka into Elasticsearch;
 * and the embedded fan-out sweep with activity events on and off, in the same run. A part whose
 * engines are not reachable is reported as not run, with why; the others still run.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { missingEngines, scaleOutEnv } from "../engines.ts";
import { fanout, populate, type Plan } from "../scenarios.ts";
import { SEED_JWT_SECRET } from "../seed.ts";
import { startServer, type RunningServer } from "../servers.ts";
import { sustained } from "../sweep.ts";
import { queries } from "./corpus.ts";
import { measureIndexing } from "./indexing.ts";
import { measureSearch } from "./latency.ts";
import { QUERIES, SEARCH_MESSAGES, type SearchResults } from "./report.ts";
import { dropElastic, seedElastic, seedMessages } from "./seed-messages.ts";

const GROUPS = 3;
const WARMUP = 40;
const INDEXING_EVENTS = 50_000;
const INDEXING_DEADLINE_MS = 60_000;

export interface SectionContext {
  plan: Plan;
  port: () => number;
  note: (s: string) => void;
}

const ELASTICSEARCH_URL = process.env.ELASTICSEARCH_URL ?? process.env.TEST_ELASTICSEARCH_URL ?? "http://127.0.0.1:19200";
const elasticUp = () => fetch(`${ELASTICSEARCH_URL}/_cluster/health`, { signal: AbortSignal.timeout(2000) }).then((r) => r.ok, () => false);

const withServer = async <T>(start: Promise<RunningServer>, run: (s: RunningServer) => Promise<T>): Promise<T> => {
  const server = await start;
  try {
    return await run(server);
  } finally {
    await server.stop();
  }
};

export async function searchSection(ctx: SectionContext): Promise<SearchResults> {
  const { note } = ctx;
  const part = async (name: string, run: () => Promise<void>) => {
    try {
      await run();
    } catch (err) {
      out.notRun[name] = `failed: ${err instanceof Error ? err.message : String(err)}`;
      note(`search ${name}: ${out.notRun[name]}`);
    }
  };
  const dataDir = mkdtempSync(join(tmpdir(), "chat-bench-search-"));
  const corpus = await seedMessages(dataDir, SEARCH_MESSAGES, GROUPS);
  const out: SearchResults = { messages: corpus.messages.length, rooms: corpus.rooms.length, seedSeconds: +corpus.seedSeconds.toFixed(1), notRun: {} };
  note(`search: ${out.messages} messages in ${out.rooms} rooms seeded through the SQLite adapter in ${out.seedSeconds} s`);
  const mix = queries(QUERIES, corpus.rooms.length);
  const env = { JWT_SECRET: SEED_JWT_SECRET };

  await part("embedded", async () => {
    out.embedded = await withServer(startServer("project", ctx.port(), { dataDir, env }), (s) => measureSearch(s.url, corpus.token, corpus.rooms, mix, WARMUP));
    note(`search embedded: p50 ${out.embedded.p50Ms} ms, p99 ${out.embedded.p99Ms} ms, ${out.embedded.queriesPerSec} queries/s`);
  });

  const esUp = await elasticUp();
  if (esUp) {
    await part("elasticsearch", async () => {
      const prefix = `bench-search-${Date.now().toString(36)}`;
      try {
        const seedSeconds = +(await seedElastic(ELASTICSEARCH_URL, prefix, corpus.messages)).toFixed(1);
        note(`search: the same messages bulk-indexed into Elasticsearch (${prefix}) in ${seedSeconds} s`);
        const esEnv = { ...env, ELASTICSEARCH_URL, ES_INDEX_PREFIX: prefix };
        const r = await withServer(startServer("project", ctx.port(), { dataDir, env: esEnv }), (s) => measureSearch(s.url, corpus.token, corpus.rooms, mix, WARMUP));
        out.elasticsearch = { ...r, seedSeconds };
        note(`search elasticsearch: p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms, ${r.queriesPerSec} queries/s`);
      } finally {
        await dropElastic(ELASTICSEARCH_URL, prefix);
      }
    });
  } else out.notRun.elasticsearch = `not run: Elasticsearch not reachable at ${ELASTICSEARCH_URL}`;

  const missing = [...(await missingEngines()), ...(esUp ? [] : ["elasticsearch"])];
  if (missing.length === 0) {
    await part("indexing", async () => {
      const so = scaleOutEnv();
      const prefix = `bench-index-${Date.now().toString(36)}`;
      const topic = `chat.activity.${prefix}`;
      try {
        out.indexing = await withServer(
          startServer("scaleout", ctx.port(), { env: { ...so, ELASTICSEARCH_URL, ES_INDEX_PREFIX: prefix, KAFKA_ACTIVITY_TOPIC: topic } }),
          () => measureIndexing({ redisUrl: so.REDIS_URL!, kafkaBrokers: so.KAFKA_BROKERS!, elasticsearchUrl: ELASTICSEARCH_URL, topic, prefix }, INDEXING_EVENTS, INDEXING_DEADLINE_MS),
        );
        note(`search indexing: ${out.indexing.indexed} of ${out.indexing.events} events in Elasticsearch after ${out.indexing.seconds} s (${out.indexing.eventsPerSec} events/s)`);
      } finally {
        await dropElastic(ELASTICSEARCH_URL, prefix);
      }
    });
  } else out.notRun.indexing = `not run: engines not reachable: ${missing.join(", ")}`;

  await part("activityFanout", async () => {
    // One data dir and secret for both servers: the same accounts, rooms and tokens, only the switch differs.
    const fanDir = mkdtempSync(join(tmpdir(), "chat-bench-activity-"));
    const start = (log: "on" | "off") => startServer("project", ctx.port(), { dataDir: fanDir, env: { ...env, ACTIVITY_LOG: log } });
    let pop: Awaited<ReturnType<typeof populate>> | undefined;
    const on = await withServer(start("on"), async (s) => {
      pop = await populate(s, "act");
      return fanout(s, pop, ctx.plan);
    });
    const off = await withServer(start("off"), (s) => fanout(s, pop!, ctx.plan));
    rmSync(fanDir, { recursive: true, force: true });
    out.activityFanout = { on, off };
    note(`search activity fan-out: sustained ${sustained(on.steps)} delivered/s with activity, ${sustained(off.steps)} without`);
  });
  rmSync(dataDir, { recursive: true, force: true });
  return out;
}
