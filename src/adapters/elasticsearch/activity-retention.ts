import type { Client } from "@elastic/elasticsearch";
import { DAY_MS } from "../../domain/analytics/window.ts";
import type { IndexNames } from "./indices.ts";

/**
 * Retention of the activity data stream by index-per-period, for clusters without ILM or data stream
 * lifecycle (the integ-test-zip distribution): the stream rolls over to a new backing index once a
 * day, and a backing index is deleted whole once its newest possible event (creation + 1 day) is
 * older than the retention. No delete-by-query (the reindex module may be missing too).
 */
export async function enforceRetention(client: Client, names: IndexNames, retentionDays: number, now = Date.now()): Promise<{ deleted: string[] }> {
  const backing = await client.indices.get({ index: names.activity, filter_path: "*.settings.index.creation_date" }, { ignore: [404] });
  const indices = Object.entries(backing as Record<string, { settings?: { index?: { creation_date?: string } } }>)
    .map(([name, v]) => ({ name, created: Number(v.settings?.index?.creation_date ?? now) }))
    .sort((a, b) => a.name.localeCompare(b.name)); // .ds-<stream>-<date>-<generation>: the last is the write index
  const write = indices.at(-1);
  if (!write) return { deleted: [] };
  if (now - write.created >= DAY_MS) await client.indices.rollover({ alias: names.activity });
  const cutoff = now - retentionDays * DAY_MS;
  const old = indices.slice(0, -1).filter((i) => i.created + DAY_MS < cutoff).map((i) => i.name);
  if (old.length) await client.indices.delete({ index: old });
  return { deleted: old };
}
