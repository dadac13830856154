/**
 * Message lifecycle guarantees only the embedded store can show from the outside: a deleted body is
 * erased from the SQLite files and the search index (not hidden), and changes in flight when the
 * writer worker dies are applied exactly once after the client retries them.
 */
import { Database } from "bun:sqlite";
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { api, befriend, register, sleep, WsClient, type Account } from "../support/client.ts";
import { startServer, type TestServer } from "../support/server.ts";

const servers: TestServer[] = [];
afterAll(async () => {
  for (const s of servers) await s.cleanup();
}, 60_000);

/** Whether the text occurs anywhere in the database's files (main file and WAL). */
const inFiles = (dataDir: string, text: string) =>
  ["chat.db", "chat.db-wal"].some((f) => existsSync(join(dataDir, f)) && readFileSync(join(dataDir, f)).includes(Buffer.from(text)));

const searchHits = async (url: string, a: Account, q: string) => {
  const res = await api(url, "GET", `/api/search?q=${encodeURIComponent(q)}`, { token: a.accessToken });
  expect(res.status).toBe(200);
  return (res.body.hits as { message: { id: string; body: string } }[]).map((h) => h.message);
};

describe("message lifecycle (embedded store)", () => {
  test("a deleted body is gone from the database files and from search; an edit re-indexes", async () => {
    const server = await startServer();
    servers.push(server);
    const alice = await register(server.url, "er");
    const c = await WsClient.connect(server.url, alice);
    const secret = `erase-me-${crypto.randomUUID()}`;
    const m = await c.sendMessage("general", `the secret is ${secret}`);
    const edited = await c.sendMessage("general", "before-edit-wording here");

    // Stored and findable first, so the checks below can fail.
    expect(inFiles(server.dataDir, secret)).toBe(true);
    expect((await searchHits(server.url, alice, secret)).map((h) => h.id)).toEqual([m.id]);

    await c.request({ type: "edit", room: "general", id: edited.id, body: "after-edit-wording here", clientId: crypto.randomUUID() }, "ack");
    expect(await searchHits(server.url, alice, "before-edit-wording")).toEqual([]);
    expect((await searchHits(server.url, alice, "after-edit-wording")).map((h) => [h.id, h.body])).toEqual([[edited.id, "after-edit-wording here"]]);

    await c.request({ type: "delete", room: "general", id: m.id }, "ack");
    expect(await searchHits(server.url, alice, secret)).toEqual([]);
    // The writer checkpoints right after answering: wait for the old page images to leave the WAL.
    for (const deadline = Date.now() + 10_000; inFiles(server.dataDir, secret) && Date.now() < deadline; ) await sleep(50);
    expect(inFiles(server.dataDir, secret)).toBe(false);
    const db = new Database(join(server.dataDir, "chat.db"), { readonly: true });
    try {
      expect(db.query("SELECT body, deleted, mentions, attachments, reply_to FROM messages WHERE id = ?").get(m.id)).toEqual({
        body: "",
        deleted: 1,
        mentions: null,
        attachments: null,
        reply_to: null,
      });
      expect(db.query("SELECT count(*) AS n FROM message_search WHERE id = ?").get(m.id)).toEqual({ n: 0 });
    } finally {
      db.close();
    }
    c.close();
  }, 60_000);

  test("changes in flight when the writer dies end acked or unavailable, and retried they are applied exactly once", async () => {
    const server = await startServer({ env: { TEST_FAULT_HOOKS: "true", SEND_RATE_PER_SEC: "10000", SEND_BURST: "10000" } });
    servers.push(server);
    const [alice, bob] = await Promise.all([register(server.url, "cr"), register(server.url, "cr")]);
    await befriend(server.url, alice!, bob!);
    const room = (await api(server.url, "POST", "/api/groups", { token: alice!.accessToken, body: { name: "crash", members: [bob!.id] } })).body.id as string;
    const [a, b] = await Promise.all([WsClient.connect(server.url, alice!), WsClient.connect(server.url, bob!)]);
    const target = await a.sendMessage(room, "v0");
    const doomed = await b.sendMessage(room, "to be deleted");

    const frames: [WsClient, Record<string, unknown>][] = [
      ...Array.from({ length: 100 }, (_, i): [WsClient, Record<string, unknown>] => [a, { type: "edit", room, id: target.id, body: `v${i + 1}`, clientId: `edit-${i}` }]),
      ...Array.from({ length: 20 }, (_, i): [WsClient, Record<string, unknown>] => [a, { type: "react", room, id: target.id, emoji: `:a${i}:`, on: true }]),
      ...Array.from({ length: 20 }, (_, i): [WsClient, Record<string, unknown>] => [b, { type: "react", room, id: target.id, emoji: `:b${i}:`, on: true }]),
      [b, { type: "delete", room, id: doomed.id }],
    ];
    // Half goes first; once the writer is busy with it, the rest follows and the writer is killed
    // (the test-only hook) while changes are queued, in its transaction and answered.
    const half = frames.length >> 1;
    const firstWave = frames.slice(0, half).map(([c, f]) => c.request(f, "ack"));
    await Promise.race(firstWave);
    const first = [...firstWave, ...frames.slice(half).map(([c, f]) => c.request(f, "ack"))];
    server.proc.kill("SIGUSR2");
    const settled = await Promise.allSettled(first);
    const failed = settled.flatMap((r, i) => (r.status === "rejected" ? [i] : []));
    for (const i of failed) expect(String((settled[i] as PromiseRejectedResult).reason)).toContain("unavailable");
    expect(failed.length).toBeLessThan(frames.length);

    const writerUp = async () =>
      ((await (await fetch(`${server.url}/api/health`)).json()) as { engines: { name: string; ok: boolean }[] }).engines.find((e) => e.name === "worker:sqlite-writer")?.ok;
    for (const deadline = Date.now() + 15_000; !(await writerUp()) && Date.now() < deadline; ) await sleep(50);
    expect(await writerUp()).toBe(true);

    // The clients retry what failed, as they would after `unavailable`; replaying what was acked
    // (an answer lost in a crash looks the same to them) must change nothing.
    for (const i of failed) await frames[i]![0].request(frames[i]![1], "ack");
    for (let i = 0; i < frames.length; i++) {
      const replay = await frames[i]![0].request(frames[i]![1], "ack");
      expect(replay.duplicate).toBe(true);
    }

    const db = new Database(join(server.dataDir, "chat.db"), { readonly: true });
    try {
      const seqs = db
        .query<{ seq: number }, [string]>("SELECT seq FROM messages WHERE room_id = ?1 UNION ALL SELECT seq FROM message_changes WHERE room_id = ?1 ORDER BY seq")
        .all(room)
        .map((r) => r.seq);
      // 2 messages + 100 edits + 40 reactions + 1 deletion, each once, gap-free.
      expect(seqs).toEqual(Array.from({ length: 143 }, (_, i) => i + 1));
      const kinds = db.query<{ kind: string; n: number }, [string]>("SELECT kind, count(*) AS n FROM message_changes WHERE room_id = ? GROUP BY kind ORDER BY kind").all(room);
      expect(kinds).toEqual([
        { kind: "delete", n: 1 },
        { kind: "edit", n: 100 },
        { kind: "react", n: 40 },
      ]);
      expect(db.query("SELECT count(DISTINCT client_id) AS n FROM message_changes WHERE kind = 'edit' AND room_id = ?").get(room)).toEqual({ n: 100 });
      expect(db.query("SELECT count(*) AS n FROM reactions WHERE message_id = ?").get(target.id)).toEqual({ n: 40 });
    } finally {
      db.close();
    }
    // And clients see the same: the resumed state carries every reaction once.
    const resumed = await a.request({ type: "resume", room, afterSeq: 0 }, "resumed");
    expect(resumed.lastSeq).toBe(143);
    const state = resumed.messages.find((m) => m.id === target.id)!;
    expect(state.reactions!.flatMap((r) => r.users)).toHaveLength(40);
    expect(resumed.messages.find((m) => m.id === doomed.id)).toMatchObject({ deleted: true, body: "" });
    a.close();
    b.close();
  }, 90_000);
});
