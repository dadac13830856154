/**
 * Versioned SQLite migrations: a database made by the release before them (its DDL is a fixture)
 * upgrades in place when the server starts on it; data survives and the new rules hold.
 */
import { Database } from "bun:sqlite";
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSqliteStorage } from "../../src/adapters/sqlite/storage.ts";
import { createLogger } from "../../src/observability/logger.ts";
import { migrate, MIGRATIONS, schemaVersion } from "../../src/adapters/sqlite/migrations.ts";
import { dmRoomId } from "../../src/domain/ids.ts";
import { api, WsClient, type Account } from "../support/client.ts";
import { startServer } from "../support/server.ts";

const OLD_SCHEMA = readFileSync(join(import.meta.dir, "..", "fixtures", "sqlite-schema-v0.sql"), "utf8");
const LATEST = MIGRATIONS.at(-1)!.version;
const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "chat-migrate-"));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A database as the previous release left it: two friends with a DM holding one message. */
async function previousReleaseDatabase(dir: string) {
  const db = new Database(join(dir, "chat.db"), { create: true, strict: true });
  db.exec("PRAGMA journal_mode = WAL");
  db.exec(OLD_SCHEMA);
  const now = Date.now();
  const hash = await Bun.password.hash("correct horse");
  const [alice, bob] = ["01900000-0000-7000-8000-00000000000a", "01900000-0000-7000-8000-00000000000b"];
  const dm = dmRoomId(alice, bob);
  for (const [id, name] of [[alice, "old_alice"], [bob, "old_bob"]] as const) {
    db.query("INSERT INTO users (id, username, password_hash, created_at) VALUES (?, ?, ?, ?)").run(id, name, hash, now);
    db.query("INSERT INTO memberships (room_id, user_id, joined_at) VALUES ('general', ?, ?)").run(id, now);
    db.query("INSERT INTO memberships (room_id, user_id, joined_at, last_read_seq) VALUES (?, ?, ?, 1)").run(dm, id, now);
  }
  db.query("INSERT INTO friendships VALUES (?, ?, ?), (?, ?, ?)").run(alice, bob, now, bob, alice, now);
  db.query("INSERT INTO rooms VALUES ('general', 'public', 'general', NULL, ?), (?, 'dm', '', NULL, ?)").run(now, dm, now);
  db.query(
    "INSERT INTO messages (room_id, seq, id, from_id, from_name, body, client_id, created_at) VALUES (?, 1, 'm-old-1', ?, 'old_alice', 'from the old release', 'c-1', ?)",
  ).run(dm, alice, now);
  expect(schemaVersion(db)).toBe(0);
  db.close();
  return { alice, bob, dm };
}

async function login(url: string, username: string): Promise<Account> {
  const r = await api(url, "POST", "/api/auth/login", { body: { username, password: "correct horse" } });
  expect(r.status).toBe(200);
  return { id: r.body.user.id, username, password: "correct horse", accessToken: r.body.accessToken, refreshCookie: "" };
}

describe("SQLite migrations", () => {
  test("a database from the previous release upgrades in place: data survives, clientIds become per room", async () => {
    const dir = tempDir();
    const old = await previousReleaseDatabase(dir);
    let server = await startServer({ dataDir: dir });
    try {
      const alice = await login(server.url, "old_alice");
      const page = await api(server.url, "GET", `/api/conversations/${encodeURIComponent(old.dm)}/messages`, { token: alice.accessToken });
      expect(page.body.messages.map((m: { body: string }) => m.body)).toEqual(["from the old release"]);
      // Messages stored before search existed were indexed by its migration.
      const found = await api(server.url, "GET", "/api/search?q=old%20release", { token: alice.accessToken });
      expect(found.body.hits.map((h: { message: { id: string } }) => h.message.id)).toEqual(["m-old-1"]);

      const ws = await WsClient.connect(server.url, alice);
      // The old schema made (sender, clientId) unique across rooms: this was acked as the DM's message.
      const elsewhere = await ws.sendMessage("general", "same clientId, other room", "c-1");
      expect(elsewhere).toMatchObject({ room: "general", duplicate: false });
      expect(elsewhere.id).not.toBe("m-old-1");
      const retry = await ws.sendMessage(old.dm, "retry", "c-1");
      expect(retry).toMatchObject({ id: "m-old-1", seq: 1, duplicate: true });
      expect((await ws.sendMessage(old.dm, "new one")).seq).toBe(2);
      // An old message can be edited: its search entry (linked to it by migration 5) is replaced.
      await ws.request({ type: "edit", room: old.dm, id: "m-old-1", body: "rewritten after the upgrade", clientId: "e-1" }, "ack");
      const search = async (q: string) =>
        (await api(server.url, "GET", `/api/search?q=${encodeURIComponent(q)}`, { token: alice.accessToken })).body.hits.map((h: { message: { id: string } }) => h.message.id);
      expect(await search("old release")).toEqual([]);
      expect(await search("rewritten after")).toEqual(["m-old-1"]);
      ws.close();

      // A second start finds nothing left to apply and keeps everything.
      server = await server.restart();
      const again = await login(server.url, "old_alice");
      const after = await api(server.url, "GET", `/api/conversations/${encodeURIComponent(old.dm)}/messages`, { token: again.accessToken });
      expect(after.body.messages.map((m: { seq: number }) => m.seq)).toEqual([2, 1]);
    } finally {
      await server.stop();
    }
    const db = new Database(join(dir, "chat.db"), { readonly: true });
    expect(schemaVersion(db)).toBe(LATEST);
    db.close();
  }, 60_000);

  test("migrations apply in order once, and a database from a newer release is refused", () => {
    const db = new Database(":memory:");
    const applied: number[] = [];
    const list = [1, 2, 3].map((version) => ({ version, name: `m${version}`, up: `CREATE TABLE t${version} (x);` }));
    expect(migrate(db, list.slice(0, 2))).toBe(2);
    expect(migrate(db, list)).toBe(3); // only the third runs: t1/t2 exist already and would fail
    for (const row of db.query<{ name: string }, []>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all()) {
      applied.push(Number(row.name.slice(1)));
    }
    expect(applied).toEqual([1, 2, 3]);
    expect(() => migrate(db, list.slice(0, 1))).toThrow(/newer than this release/);
    db.close();
  });

  test("the main-thread connection runs with SQLITE_SYNCHRONOUS and the configured busy timeout", async () => {
    const dir = tempDir();
    const storage = createSqliteStorage(dir, { synchronous: "FULL", busyTimeoutMs: 1234 }, createLogger("error"));
    await storage.lifecycle.start?.();
    try {
      const health = await storage.lifecycle.health!();
      expect(health).toMatchObject({ synchronous: "FULL", busyTimeoutMs: 1234, schemaVersion: LATEST });
    } finally {
      await storage.lifecycle.close?.();
    }
  });
});
