import { describe, expect, test } from "bun:test";
import { DomainError } from "../../src/domain/errors.ts";
import type { ChatMessage } from "../../src/domain/model.ts";
import type { SearchIndex, SearchQuery } from "../../src/ports/index.ts";
import { uid, useFixture, type MakeFixture } from "./fixture.ts";

/** The search port: `seed` stores/indexes messages and returns once they are searchable. */
export interface SearchFixture {
  search: SearchIndex;
  seed(messages: ChatMessage[]): Promise<void>;
}

export function searchIndexContract(name: string, make: MakeFixture<SearchFixture>) {
  describe(`SearchIndex contract (${name})`, () => {
    const f = useFixture(make);
    const base = Date.now() - 60_000;
    const msg = (room: string, seq: number, body: string, from = "alice"): ChatMessage => ({
      id: Bun.randomUUIDv7(), room, seq, from, fromName: from, body, createdAt: base + seq * 10, clientId: uid("c"),
    });
    const q = (terms: string[], rooms: string[], extra: Partial<SearchQuery> = {}): SearchQuery => ({ terms, rooms, limit: 20, ...extra });
    const bodies = async (query: SearchQuery) => (await f().search.search(query)).messages.map((m) => m.body);

    test("matches parts of words, identifiers and URLs, case-insensitively, every term required", async () => {
      const room = uid("r");
      await f().seed([
        msg(room, 1, "We RELAUNCHED the site"),
        msg(room, 2, "running qwen3.6 locally"),
        msg(room, 3, "see https://example.com/plan?id=7"),
        msg(room, 4, "launch party tonight"),
      ]);
      expect(await bodies(q(["launch"], [room]))).toEqual(["launch party tonight", "We RELAUNCHED the site"]);
      expect(await bodies(q(["qwen3"], [room]))).toEqual(["running qwen3.6 locally"]);
      expect(await bodies(q(["example.com/plan"], [room]))).toEqual(["see https://example.com/plan?id=7"]);
      expect(await bodies(q(["launch", "party"], [room]))).toEqual(["launch party tonight"]);
      expect(await bodies(q(["nothing-like-this"], [room]))).toEqual([]);
    });

    test("only the given rooms; none given, nothing found", async () => {
      const [mine, other] = [uid("r"), uid("r")];
      await f().seed([msg(mine, 1, "shared secret word"), msg(other, 1, "shared secret word elsewhere")]);
      expect(await bodies(q(["secret"], [mine]))).toEqual(["shared secret word"]);
      expect(await bodies(q(["secret"], []))).toEqual([]);
    });

    test("filters by sender and time, pages newest first with a cursor", async () => {
      const room = uid("r");
      const seeded = Array.from({ length: 7 }, (_, i) => msg(room, i + 1, `paging item ${i + 1}`, i % 2 ? "bob" : "alice"));
      await f().seed(seeded);
      const first = await f().search.search(q(["paging"], [room], { limit: 3 }));
      expect(first.messages.map((m) => m.seq)).toEqual([7, 6, 5]);
      expect(first.messages[0]).toEqual(seeded[6]!);
      const second = await f().search.search(q(["paging"], [room], { limit: 3, cursor: first.next! }));
      const third = await f().search.search(q(["paging"], [room], { limit: 3, cursor: second.next! }));
      expect([...second.messages, ...third.messages].map((m) => m.seq)).toEqual([4, 3, 2, 1]);
      expect(third.next).toBeUndefined();
      expect((await f().search.search(q(["paging"], [room], { from: "bob" }))).messages.map((m) => m.seq)).toEqual([6, 4, 2]);
      const window = { after: seeded[2]!.createdAt, before: seeded[5]!.createdAt };
      expect((await f().search.search(q(["paging"], [room], window))).messages.map((m) => m.seq)).toEqual([5, 4, 3]);
    });

    test("a removed message is no longer found", async () => {
      const room = uid("r");
      const gone = msg(room, 1, "ephemeral words");
      await f().seed([gone, msg(room, 2, "ephemeral but kept")]);
      await f().search.remove([gone.id]);
      expect(await bodies(q(["ephemeral"], [room]))).toEqual(["ephemeral but kept"]);
    });

    test("a malformed cursor is a bad_request", async () => {
      const err = await f().search.search(q(["word"], ["r"], { cursor: "not-a-cursor" })).catch((e) => e);
      expect(err).toBeInstanceOf(DomainError);
      expect((err as DomainError).code).toBe("bad_request");
    });
  });
}
