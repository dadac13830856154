import type { Client } from "@elastic/elasticsearch";
import type { QueryDslQueryContainer } from "@elastic/elasticsearch/lib/api/types";
import { decodeCursor, encodeCursor } from "../../domain/search/cursor.ts";
import type { ChatMessage } from "../../domain/model.ts";
import { messageSchema } from "../../protocol/index.ts";
import type { SearchIndex, SearchPage, SearchQuery } from "../../ports/index.ts";
import { bulkWrite } from "./bulk-writer.ts";
import { messageDoc } from "./documents.ts";
import type { IndexNames } from "./indices.ts";
import { trigrams } from "./trigrams.ts";

/**
 * Message search on Elasticsearch: every trigram of every term must be in the document's `grams`
 * (a superset of substring matching: trigrams present but apart also match, which is rare for
 * real words), filtered to the caller's rooms, newest first with `search_after` paging.
 */
export class ElasticSearchIndex implements SearchIndex {
  constructor(private client: Client, private names: IndexNames) {}

  async index(messages: readonly ChatMessage[]): Promise<void> {
    await bulkWrite(this.client, this.names, messages.map((m) => messageDoc(this.names, m)));
  }

  async remove(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    // wait_for: resolves once searches no longer see them, as the port promises.
    await this.client.bulk({ refresh: "wait_for", operations: ids.map((id) => ({ delete: { _index: this.names.messages, _id: id } })) });
  }

  async search(q: SearchQuery): Promise<SearchPage> {
    if (q.rooms.length === 0 || q.terms.length === 0) return { messages: [] };
    const filter: QueryDslQueryContainer[] = [
      { terms: { room: q.rooms } },
      ...[...new Set(q.terms.flatMap(trigrams))].map((g) => ({ term: { grams: g } })),
    ];
    if (q.from) filter.push({ term: { from: q.from } });
    if (q.after !== undefined || q.before !== undefined) {
      filter.push({ range: { createdAt: { ...(q.after !== undefined ? { gte: q.after } : {}), ...(q.before !== undefined ? { lt: q.before } : {}) } } });
    }
    const after = q.cursor ? decodeCursor(q.cursor) : null;
    const res = await this.client.search<unknown>({
      index: this.names.messages,
      query: { bool: { filter } },
      sort: [{ createdAt: "desc" }, { id: "desc" }],
      size: q.limit + 1,
      track_total_hits: false,
      ...(after ? { search_after: [after.createdAt, after.id] } : {}),
    });
    const messages = res.hits.hits.slice(0, q.limit).map((h) => messageSchema.parse(h._source));
    const last = messages.at(-1);
    return res.hits.hits.length > q.limit && last ? { messages, next: encodeCursor(last) } : { messages };
  }
}
