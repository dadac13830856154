import type { RoomStore, SearchIndex } from "../../ports/index.ts";
import type { SearchQueryParams, SearchResponse } from "../../protocol/index.ts";
import type { Principal } from "../auth/auth-service.ts";
import { fail } from "../errors.ts";
import { highlightRanges, searchTerms } from "./terms.ts";

/**
 * Message search limited to the rooms the user is a member of *now*: membership is read at query
 * time, so a DM of two others or a group the user was removed from never shows up.
 */
export class SearchService {
  constructor(private index: SearchIndex, private rooms: RoomStore) {}

  async search(me: Principal, p: SearchQueryParams): Promise<SearchResponse> {
    const terms = searchTerms(p.q);
    if (terms.length === 0) fail("bad_request", "q: needs a term of at least 3 characters");
    if (p.after !== undefined && p.before !== undefined && p.after >= p.before) fail("bad_request", "after: must be before `before`");
    const mine = new Set((await this.rooms.roomsOf(me.userId)).map((r) => r.id));
    if (p.room && !mine.has(p.room)) fail("forbidden", "not a member of this room");
    const page = await this.index.search({
      terms,
      rooms: p.room ? [p.room] : [...mine],
      limit: p.limit,
      ...(p.from ? { from: p.from } : {}),
      ...(p.after !== undefined ? { after: p.after } : {}),
      ...(p.before !== undefined ? { before: p.before } : {}),
      ...(p.cursor ? { cursor: p.cursor } : {}),
    });
    return {
      // The index filtered by room already; checking again costs nothing and keeps the guarantee local.
      hits: page.messages.filter((m) => mine.has(m.room)).map((message) => ({ message, highlights: highlightRanges(message.body, terms) })),
      ...(page.next ? { next: page.next } : {}),
    };
  }
}
