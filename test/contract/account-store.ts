import { describe, expect, test } from "bun:test";
import type { User } from "../../src/domain/model.ts";
import type { AccountStore } from "../../src/ports/index.ts";
import { uid, useFixture, type MakeFixture } from "./fixture.ts";

const user = (username: string, id = uid("u-")): User => ({ id, username, passwordHash: "hash", createdAt: 1000, lastSeen: null });

/** The AccountStore contract: every adapter must pass it unchanged. */
export function accountStoreContract(name: string, make: MakeFixture<{ store: AccountStore }>) {
  describe(`AccountStore contract (${name})`, () => {
    const f = useFixture(make);

    test("createUser is atomic on the username; lookups by id and name", async () => {
      const { store } = f();
      const u = user(uid("n"));
      expect(await store.createUser(u)).toBe("created");
      expect(await store.createUser(user(u.username))).toBe("taken");
      expect(await store.createUser(u)).toBe("taken"); // a retry does not create a second account
      expect(await store.userById(u.id)).toEqual(u);
      expect(await store.userByName(u.username)).toEqual(u);
      expect(await store.userByName(u.username.toUpperCase())).toBeNull();
      expect(await store.userById(uid("missing"))).toBeNull();
    });

    test("concurrent registrations of one username: exactly one wins", async () => {
      const { store } = f();
      const name = uid("race");
      const results = await Promise.all(Array.from({ length: 8 }, () => store.createUser(user(name))));
      expect(results.filter((r) => r === "created")).toHaveLength(1);
    });

    test("usersByIds returns the existing ones only", async () => {
      const { store } = f();
      const a = user(uid("a"));
      const b = user(uid("b"));
      await store.createUser(a);
      await store.createUser(b);
      const found = await store.usersByIds([a.id, b.id, uid("nobody")]);
      expect(found.map((u) => u.id).sort()).toEqual([a.id, b.id].sort());
      expect(await store.usersByIds([])).toEqual([]);
    });

    test("searchUsers matches the prefix only, ordered by username, limited", async () => {
      const { store } = f();
      const p = uid("s");
      for (const n of [`${p}_c`, `${p}_a`, `${p}_b`, `x${p}`, `${p.slice(0, -1)}`]) await store.createUser(user(n));
      expect((await store.searchUsers(p, 10)).map((u) => u.username)).toEqual([`${p}_a`, `${p}_b`, `${p}_c`]);
      expect((await store.searchUsers(p, 2)).map((u) => u.username)).toEqual([`${p}_a`, `${p}_b`]);
      expect(await store.searchUsers(`${p}_z`, 10)).toEqual([]);
    });

    test("setLastSeen", async () => {
      const { store } = f();
      const u = user(uid("seen"));
      await store.createUser(u);
      await store.setLastSeen(u.id, 4242);
      expect((await store.userById(u.id))?.lastSeen).toBe(4242);
    });

    test("sessions: creation is idempotent, the first revocation time wins", async () => {
      const { store } = f();
      const id = uid("sess-");
      await store.createSession({ id, userId: "u1", createdAt: 10, revokedAt: null });
      await store.createSession({ id, userId: "u2", createdAt: 20, revokedAt: null });
      expect(await store.session(id)).toEqual({ id, userId: "u1", createdAt: 10, revokedAt: null });
      await store.revokeSession(id, 30);
      await store.revokeSession(id, 40);
      expect((await store.session(id))?.revokedAt).toBe(30);
      expect(await store.session(uid("none-"))).toBeNull();
    });

    test("refresh tokens: used once, then reported as reused; unknown jti", async () => {
      const { store } = f();
      const jti = uid("jti-");
      await store.addRefreshToken(jti, "s1", Date.now() + 60_000);
      expect(await store.useRefreshToken(jti, 1)).toBe("ok");
      expect(await store.useRefreshToken(jti, 2)).toBe("reused");
      await store.addRefreshToken(jti, "s1", Date.now() + 60_000); // a replayed add never revives it
      expect(await store.useRefreshToken(jti, 3)).toBe("reused");
      expect(await store.useRefreshToken(uid("nope-"), 1)).toBe("unknown");
    });

    test("refresh tokens: concurrent use, exactly one ok", async () => {
      const { store } = f();
      const jti = uid("jti-");
      await store.addRefreshToken(jti, "s1", Date.now() + 60_000);
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => store.useRefreshToken(jti, i)));
      expect(results.filter((r) => r === "ok")).toHaveLength(1);
      expect(results.filter((r) => r === "reused")).toHaveLength(9);
    });
  });
}
