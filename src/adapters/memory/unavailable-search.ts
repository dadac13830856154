import { fail } from "../../domain/errors.ts";
import type { SearchIndex } from "../../ports/index.ts";

/** Scale-out storage without ELASTICSEARCH_URL: messages live in MongoDB, which offers no substring search. */
export class UnavailableSearchIndex implements SearchIndex {
  async index() {}
  async remove() {}
  async search(): Promise<never> {
    return fail("unavailable", "search needs ELASTICSEARCH_URL when messages are stored in MongoDB");
  }
}
