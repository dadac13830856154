import { errorFields, type Logger } from "../../observability/logger.ts";
import type { EngineHealth, Lifecycle } from "../../ports/index.ts";
import { enforceRetention } from "./activity-retention.ts";
import { ElasticAnalytics } from "./analytics.ts";
import { parkedCount } from "./bulk-writer.ts";
import { createElasticClient } from "./client.ts";
import { ensureIndices, indexNames } from "./indices.ts";
import { ElasticSearchIndex } from "./search-index.ts";
import { backoffMs } from "../../domain/backoff.ts";

export interface ElasticSettings {
  url: string;
  prefix: string;
  retentionDays: number;
}

const RETENTION_EVERY_MS = 3_600_000;

/**
 * Search and analytics on Elasticsearch. Indices are ensured in the background with capped backoff,
 * so an instance starts while the cluster is down (search answers `unavailable` meanwhile).
 */
export function createElastic(s: ElasticSettings, log: Logger) {
  const client = createElasticClient(s.url);
  const names = indexNames(s.prefix);
  let ready = false;
  let closed = false;
  let markReady: () => void = () => {};
  /** Resolves once mappings exist: nothing is written before, or Elasticsearch would guess them. */
  const whenReady = new Promise<void>((r) => (markReady = r));
  let timer: ReturnType<typeof setInterval> | undefined;

  const retention = () =>
    enforceRetention(client, names, s.retentionDays).then(
      ({ deleted }) => deleted.length && log.info("activity indices past retention deleted", { count: deleted.length }),
      (err) => log.warn("activity retention failed", errorFields(err)),
    );

  const lifecycle: Lifecycle = {
    async start() {
      void (async () => {
        for (let attempt = 0; !closed && !ready; attempt++) {
          try {
            await ensureIndices(client, names, s.retentionDays);
            ready = true;
            markReady();
          } catch (err) {
            log.warn("elasticsearch not ready yet", errorFields(err));
            await new Promise((r) => setTimeout(r, backoffMs(attempt)));
          }
        }
      })();
      timer = setInterval(() => void retention(), RETENTION_EVERY_MS);
    },
    async close() {
      closed = true;
      clearInterval(timer);
      await client.close();
    },
    async health(): Promise<EngineHealth> {
      try {
        const [h, parked] = await Promise.all([client.cluster.health({ timeout: "1s" }), ready ? parkedCount(client, names) : Promise.resolve(0)]);
        return { name: "elasticsearch", ok: ready && h.status !== "red", status: h.status, parked };
      } catch (err) {
        return { name: "elasticsearch", ok: false, detail: err instanceof Error ? err.message : String(err) };
      }
    },
  };
  return { client, names, ready: whenReady, search: new ElasticSearchIndex(client, names), analytics: new ElasticAnalytics(client, names), lifecycle };
}
