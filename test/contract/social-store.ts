import { describe, expect, test } from "bun:test";
import type { SocialStore } from "../../src/ports/index.ts";
import { uid, useFixture, type MakeFixture } from "./fixture.ts";

/** The SocialStore contract: every adapter must pass it unchanged. */
export function socialStoreContract(name: string, make: MakeFixture<{ store: SocialStore }>) {
  describe(`SocialStore contract (${name})`, () => {
    const f = useFixture(make);

    test("friend requests: idempotent put, lookup, delete once", async () => {
      const { store } = f();
      const [a, b] = [uid("a"), uid("b")];
      await store.putRequest({ from: a, to: b, createdAt: 10 });
      await store.putRequest({ from: a, to: b, createdAt: 20 });
      expect(await store.request(a, b)).toEqual({ from: a, to: b, createdAt: 10 });
      expect(await store.request(b, a)).toBeNull();
      expect(await store.deleteRequest(a, b)).toBe(true);
      expect(await store.deleteRequest(a, b)).toBe(false);
      expect(await store.request(a, b)).toBeNull();
    });

    test("concurrent puts of the same request store it once", async () => {
      const { store } = f();
      const [a, b] = [uid("a"), uid("b")];
      await Promise.all(Array.from({ length: 8 }, (_, i) => store.putRequest({ from: a, to: b, createdAt: i })));
      expect((await store.requestsOf(a)).outgoing).toHaveLength(1);
    });

    test("requestsOf: incoming and outgoing, oldest first", async () => {
      const { store } = f();
      const [me, x, y, z] = [uid("me"), uid("x"), uid("y"), uid("z")];
      await store.putRequest({ from: y, to: me, createdAt: 30 });
      await store.putRequest({ from: x, to: me, createdAt: 20 });
      await store.putRequest({ from: me, to: z, createdAt: 40 });
      await store.putRequest({ from: x, to: y, createdAt: 50 }); // not mine
      const { incoming, outgoing } = await store.requestsOf(me);
      expect(incoming).toEqual([
        { from: x, to: me, createdAt: 20 },
        { from: y, to: me, createdAt: 30 },
      ]);
      expect(outgoing).toEqual([{ from: me, to: z, createdAt: 40 }]);
      expect(await store.requestsOf(uid("nobody"))).toEqual({ incoming: [], outgoing: [] });
    });

    test("friendship is symmetric and idempotent", async () => {
      const { store } = f();
      const [a, b, c] = [uid("a"), uid("b"), uid("c")];
      await store.addFriendship(a, b, 1);
      await store.addFriendship(a, b, 2);
      await store.addFriendship(b, a, 3);
      await store.addFriendship(c, a, 4);
      expect(await store.areFriends(a, b)).toBe(true);
      expect(await store.areFriends(b, a)).toBe(true);
      expect(await store.areFriends(b, c)).toBe(false);
      expect((await store.friendIds(a)).sort()).toEqual([b, c].sort());
      expect(await store.friendIds(b)).toEqual([a]);
    });

    test("concurrent adds of one friendship, from both sides, leave it symmetric", async () => {
      const { store } = f();
      const [a, b] = [uid("a"), uid("b")];
      await Promise.all(Array.from({ length: 6 }, (_, i) => (i % 2 ? store.addFriendship(a, b, i) : store.addFriendship(b, a, i))));
      expect(await store.friendIds(a)).toEqual([b]);
      expect(await store.friendIds(b)).toEqual([a]);
    });

    test("removing a friendship removes both directions, once", async () => {
      const { store } = f();
      const [a, b] = [uid("a"), uid("b")];
      await store.addFriendship(a, b, 1);
      expect(await store.removeFriendship(b, a)).toBe(true);
      expect(await store.areFriends(a, b)).toBe(false);
      expect(await store.areFriends(b, a)).toBe(false);
      expect(await store.friendIds(a)).toEqual([]);
      expect(await store.removeFriendship(a, b)).toBe(false);
    });
  });
}
