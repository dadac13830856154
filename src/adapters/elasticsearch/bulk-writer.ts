import type { Client } from "@elastic/elasticsearch";
import type { BulkDoc } from "./documents.ts";
import type { IndexNames } from "./indices.ts";

export interface Rejected {
  doc: BulkDoc;
  status: number;
  reason: string;
}

/**
 * Writes documents with the client's bulk helper (which retries 429s itself). Resolves once
 * Elasticsearch acknowledged every document: written, already there (409 on a write-once `create`:
 * a replay), or rejected for good — those are parked in the parking index and returned, never
 * dropped. Rejects when anything is worth retrying (unreachable, overloaded): the caller retries
 * the whole batch, which is idempotent by document id.
 */
export async function bulkWrite(client: Client, names: IndexNames, docs: readonly BulkDoc[]): Promise<Rejected[]> {
  if (docs.length === 0) return [];
  const rejected: Rejected[] = [];
  let retryable = 0;
  const byKey = new Map(docs.map((d) => [`${d.index}\u0000${d.id}`, d]));
  await client.helpers.bulk<BulkDoc>({
    datasource: [...docs],
    onDocument: (d) =>
      d.op === "delete" ? { delete: { _index: d.index, _id: d.id } } : [{ [d.op]: { _index: d.index, _id: d.id } } as { index: { _index: string; _id: string } }, d.doc],
    onDrop: (drop) => {
      const op = Object.values(drop.operation)[0] as { _index: string; _id: string } | undefined;
      const doc = op && byKey.get(`${op._index}\u0000${op._id}`);
      if (drop.status === 409) return; // write-once document already indexed: a replay
      if (drop.status === 404 && "delete" in drop.operation) return; // removed already (or never indexed)
      if (drop.status === 429 || drop.status >= 500 || !doc) retryable++;
      else rejected.push({ doc, status: drop.status, reason: JSON.stringify(drop.error ?? "").slice(0, 500) });
    },
    flushBytes: 5_000_000,
    concurrency: 1,
    retries: 3,
    wait: 500,
    refreshOnCompletion: false,
  });
  if (retryable > 0) throw new Error(`elasticsearch could not take ${retryable} documents yet`);
  if (rejected.length > 0) await park(client, names, rejected);
  return rejected;
}

/** Parks rejected documents whole (unindexed `_source`) under their own id; throws when even that fails. */
async function park(client: Client, names: IndexNames, rejected: Rejected[]) {
  const at = Date.now();
  const res = await client.bulk({
    operations: rejected.flatMap((r) => [
      { index: { _index: names.parked, _id: `${r.doc.index}:${r.doc.id}` } },
      { at, index: r.doc.index, id: r.doc.id, status: r.status, reason: r.reason, doc: r.doc.doc },
    ]),
  });
  if (res.errors) throw new Error("elasticsearch refused to park rejected documents");
}

export async function parkedCount(client: Client, names: IndexNames): Promise<number> {
  return (await client.count({ index: names.parked })).count;
}
