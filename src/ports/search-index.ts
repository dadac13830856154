import type { ChatMessage } from "../domain/model.ts";
import type { Lifecycle } from "./lifecycle.ts";

export interface SearchQuery {
  /** Lowercased terms, each at least 3 characters; a message matches when its body contains every term (substring, case-insensitive). */
  terms: string[];
  /** Only these rooms (the caller's rooms, checked at query time). Empty means no hits. */
  rooms: string[];
  from?: string;
  /** createdAt >= after, < before (epoch ms). */
  after?: number;
  before?: number;
  limit: number;
  /** An opaque cursor from a previous page of the same query. */
  cursor?: string;
}

export interface SearchPage {
  /** Newest first (createdAt, then id, descending). */
  messages: ChatMessage[];
  next?: string;
}

/**
 * Full-text search over messages with partial-word matching.
 * - `index` is idempotent by message id (a replay overwrites the same document).
 * - `remove` makes a message unfindable (deleted, or before re-indexing an edit) by the time it resolves.
 * - A bad cursor is reported with a DomainError("bad_request").
 */
export interface SearchIndex extends Lifecycle {
  index(messages: readonly ChatMessage[]): Promise<void>;
  remove(ids: readonly string[]): Promise<void>;
  search(query: SearchQuery): Promise<SearchPage>;
}
